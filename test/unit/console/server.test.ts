// The console server in-process: the read-only proxy (allow-list, methods, a backend that is
// down), the alert recorder reached through it for real, lab actions guarded against other
// origins and never revealing the token, documents, and the single-page app's routes.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_OTLP_BYTES, RateLimit } from '../../../console/server/browser-traffic';
import type { ConsoleConfig } from '../../../console/server/config';
import { createConsoleApp } from '../../../console/server/server';
import { readControlToken } from '../../../local/control-token';
import { createAlertRecorder } from '../../../tools/runner/alert-recorder';

const TOKEN = 'unit-secret-token-42';
const servers: http.Server[] = [];
let base = '';
let recorderUrl = '';
/** Stands in for the collector's OTLP/HTTP receiver: records what the console forwards. */
let upstreamUrl = '';
const upstream: { path: string; headers: http.IncomingHttpHeaders; body: string }[] = [];
const assets = fs.mkdtempSync(path.join(os.tmpdir(), 'console-assets-'));

const listen = (server: http.Server) =>
  new Promise<string>((resolve) => {
    servers.push(server);
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
  });

beforeAll(async () => {
  fs.writeFileSync(path.join(assets, 'index.html'), '<!doctype html><title>console</title>');
  recorderUrl = await listen(createAlertRecorder());
  // A port that was just free and is closed again: a backend that is down.
  const closed = await listen(createAlertRecorder());
  await new Promise((resolve) => servers.pop()!.close(resolve));
  upstreamUrl = await listen(
    http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        upstream.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString() });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"partialSuccess":{}}');
      });
    }),
  );
  const config: ConsoleConfig = {
    host: '127.0.0.1',
    port: 0,
    backends: {
      jaeger: closed,
      prometheus: closed,
      victorialogs: closed,
      alertRecorder: recorderUrl,
      collector: upstreamUrl,
    },
    services: { gateway: closed, 'model-inference': closed, 'fallback-rules': closed },
    assetsDir: assets,
    controlToken: TOKEN,
  };
  base = await listen(http.createServer(createConsoleApp(config)));
});

afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  fs.rmSync(assets, { recursive: true, force: true });
});

const get = async (url: string, init?: RequestInit) => {
  const response = await fetch(`${base}${url}`, init);
  const text = await response.text();
  return { status: response.status, text, json: () => JSON.parse(text) };
};

describe('console server', () => {
  it('proxies an allowed read to the real backend', async () => {
    await fetch(`${recorderUrl}/alerts/default`, { method: 'POST', body: JSON.stringify({ status: 'firing', alerts: [] }) });
    const answer = await get('/api/proxy/alerts/alerts');
    expect(answer.status).toBe(200);
    expect(answer.json()).toMatchObject([{ receiver: 'default', payload: { status: 'firing' } }]);
  });

  it('refuses paths outside the allow-list and writes', async () => {
    expect((await get('/api/proxy/prometheus/api/v1/admin/tsdb/delete_series')).status).toBe(404);
    expect((await get('/api/proxy/nope/x')).status).toBe(404);
    const write = await get('/api/proxy/alerts/alerts', { method: 'POST', body: '{}' });
    expect(write.status).toBe(405);
    expect(write.json().error.code).toBe('method_not_allowed');
    const json = await get('/api/proxy/logs/select/logsql/query', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(json.status).toBe(405);
  });

  it('names a backend that is down and says how to start it', async () => {
    const answer = await get('/api/proxy/jaeger/api/services');
    expect(answer.status).toBe(502);
    expect(answer.json().error).toMatchObject({ code: 'backend_unavailable', backend: 'jaeger' });
    expect(answer.json().error.message).toMatch(/Jaeger at http:\/\/127\.0\.0\.1:\d+ is not answering.*npm start/);
  });

  it('guards lab actions: JSON only, same origin only, and never shows the token', async () => {
    const form = await get('/api/lab/reset', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'a=1',
    });
    expect(form.status).toBe(415);
    const crossSite = await get('/api/lab/reset', {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'http://evil.example' },
      body: '{}',
    });
    expect(crossSite.status).toBe(403);
    const unknown = await get('/api/lab/scenarios/nope/on', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(unknown.status).toBe(404);
    expect(unknown.json().error.code).toBe('unknown_scenario');
    const down = await get('/api/lab/reset', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(down.status).toBe(502);
    const lab = await get('/api/lab');
    expect(lab.status).toBe(200);
    expect(lab.json().scenarios.length).toBeGreaterThan(0);
    for (const answer of [form, crossSite, unknown, down, lab, await get('/healthz')]) expect(answer.text).not.toContain(TOKEN);
  });

  it('forwards the browser’s OTLP exports to the collector from its own origin only, bounded in size', async () => {
    const export_ = JSON.stringify({ resourceSpans: [] });
    const post = (headers: Record<string, string>, body: string = export_) =>
      get('/otlp/v1/traces', { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    const anonymous = await post({});
    expect(anonymous.status).toBe(403);
    expect(anonymous.json().error.code).toBe('cross_origin');
    expect((await post({ origin: 'http://evil.example' })).status).toBe(403);
    expect((await post({ 'sec-fetch-site': 'cross-site', origin: base })).status).toBe(403);
    expect((await post({ origin: base, 'content-type': 'text/plain' })).status).toBe(415);
    const big = await post({ origin: base }, ' '.repeat(MAX_OTLP_BYTES + 1));
    expect(big.status).toBe(413);
    expect(big.json().error.code).toBe('payload_too_large');
    const before = upstream.length;
    const ok = await post({ origin: base, 'sec-fetch-site': 'same-origin' });
    expect(ok.status).toBe(200);
    expect(upstream.slice(before)).toEqual([expect.objectContaining({ path: '/v1/traces', body: export_ })]);
  });

  it('refuses predictions from other origins, and says when the gateway is down', async () => {
    const post = (headers: Record<string, string>) =>
      get('/api/gateway/predict', { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: '{}' });
    expect((await post({ origin: 'http://evil.example' })).status).toBe(403);
    const down = await post({ origin: base, traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' });
    expect(down.status).toBe(502);
    expect(down.json().error.message).toMatch(/gateway .* is not answering/i);
  });

  it('limits the rate of OTLP exports with a JSON 429 and Retry-After', async () => {
    let limited: Awaited<ReturnType<typeof get>> | undefined;
    let answered = 0;
    for (let i = 0; i < 40 && !limited; i++) {
      const answer = await get('/otlp/v1/traces', {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: base },
        body: '{}',
      });
      if (answer.status === 429) limited = answer;
      else answered++;
    }
    expect(limited?.json().error.code).toBe('rate_limited');
    expect(answered).toBeGreaterThanOrEqual(15);
    let clock = 0;
    const limit = new RateLimit(2, 1, () => clock);
    expect([limit.take().ok, limit.take().ok, limit.take()]).toEqual([true, true, { ok: false, retryAfterS: 1 }]);
    clock = 1000;
    expect(limit.take().ok).toBe(true);
  });

  it('serves lessons and runbooks by name only', async () => {
    const runbooks = await get('/api/docs/runbooks');
    expect(runbooks.status).toBe(200);
    expect(runbooks.text).toContain('## modelunavailablefallbackserving');
    expect((await get('/api/docs/random')).text).toContain('histogram');
    expect((await get('/api/docs/..%2F..%2Fpackage')).status).toBe(404);
  });

  it('serves the app on every page URL, and JSON 404s elsewhere', async () => {
    for (const page of [
      '/',
      '/traces',
      '/trace/0123456789abcdef0123456789abcdef',
      '/trace/a/vs/b',
      '/services',
      '/signals',
      '/lab',
      '/docs/runbooks',
    ]) {
      const answer = await get(page);
      expect(answer.status, page).toBe(200);
      expect(answer.text).toContain('<title>console</title>');
    }
    const missing = await get('/nowhere');
    expect(missing.status).toBe(404);
    expect(missing.json().error.code).toBe('not_found');
  });

  it('reads the control token from the environment first, then the runner’s file', () => {
    const file = path.join(assets, 'control-token');
    fs.writeFileSync(file, 'from-file\n', { mode: 0o600 });
    expect(readControlToken({ CONTROL_TOKEN: 'from-env' }, file)).toBe('from-env');
    expect(readControlToken({}, file)).toBe('from-file');
    expect(readControlToken({}, path.join(assets, 'missing'))).toBeUndefined();
  });
});
