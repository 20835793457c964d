// The console's traffic and mystery endpoints in-process, against services that are down: bad
// input is a 400 naming the problem, actions that do not fit the mystery's state a 409, cross-site
// requests a 403; a mystery started elsewhere (the CLI's state file) is guessed here, and neither
// the status nor the lab page gives the answer away before the guess.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConsoleConfig } from '../../../console/server/config';
import { createConsoleApp } from '../../../console/server/server';
import { causesOf, chooseMystery } from '../../../lab/mystery';

const TOKEN = 'unit-secret-token-43';
const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'console-mystery-'));
const previousStateDir = process.env.TRACELAB_LAB_STATE_DIR;
let server: http.Server;
let base = '';

beforeAll(async () => {
  process.env.TRACELAB_LAB_STATE_DIR = stateDir;
  // A port that was just free and is closed again: every service and backend is down.
  const probe = http.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const closed = `http://127.0.0.1:${(probe.address() as AddressInfo).port}`;
  await new Promise((resolve) => probe.close(resolve));
  const config: ConsoleConfig = {
    host: '127.0.0.1',
    port: 0,
    backends: {
      jaeger: closed,
      prometheus: closed,
      victorialogs: closed,
      alertRecorder: closed,
      collector: closed,
    },
    services: { gateway: closed, 'model-inference': closed, 'fallback-rules': closed },
    assetsDir: stateDir,
    controlToken: TOKEN,
  };
  server = http.createServer(createConsoleApp(config));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  if (previousStateDir === undefined) delete process.env.TRACELAB_LAB_STATE_DIR;
  else process.env.TRACELAB_LAB_STATE_DIR = previousStateDir;
  fs.rmSync(stateDir, { recursive: true, force: true });
});

async function call(url: string, body?: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${base}${url}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, text, json: () => JSON.parse(text) };
}

describe('console traffic and mystery endpoints', () => {
  it('refuse bad traffic parameters and cross-site requests', async () => {
    const tooMany = await call('/api/lab/traffic', { concurrency: 99 });
    expect(tooMany.status).toBe(400);
    expect(tooMany.json().error).toEqual({ code: 'bad_request', message: 'concurrency must be a whole number from 1 to 32, got 99' });
    expect((await call('/api/lab/traffic', { seconds: 'forever' })).json().error.message).toMatch(/seconds must be/);
    expect((await call('/api/lab/mystery/start', { seed: -3 })).status).toBe(400);
    const crossSite = await call('/api/lab/traffic', {}, { origin: 'http://evil.example' });
    expect(crossSite.status).toBe(403);
    // Valid parameters, gateway down: a 502 that says so.
    const down = await call('/api/lab/traffic', { concurrency: 1, seconds: 1 });
    expect(down.status).toBe(502);
    expect(down.json().error.message).toMatch(/did not answer any of \d+ requests/);
  });

  it('answer 409 for a guess or a reveal with no mystery on, and list the vocabulary', async () => {
    const state = await call('/api/lab/mystery');
    expect(state.status).toBe(200);
    expect(state.json().status).toEqual({ active: false });
    expect(state.json().vocabulary.kinds).toContain('fan-out');
    expect(state.json().vocabulary.services).toEqual(expect.arrayContaining(['gateway', 'model-inference', 'fallback-rules']));
    expect((await call('/api/lab/mystery/guess', { causes: [{ kind: 'cpu', service: 'gateway' }] })).status).toBe(409);
    expect((await call('/api/lab/mystery/reveal', {})).status).toBe(409);
  });

  it('score a guess of a mystery started elsewhere, without giving the answer away before it', async () => {
    const seed = Array.from({ length: 100 }, (_, i) => i).find((s) => chooseMystery(s).length === 1)!;
    const picks = chooseMystery(seed);
    fs.writeFileSync(path.join(stateDir, 'mystery.json'), JSON.stringify({ seed, startedAt: new Date().toISOString(), picks }));

    const before = await call('/api/lab/mystery');
    expect(before.json().status.active).toBe(true);
    const lab = await call('/api/lab');
    expect(lab.json().status).toEqual({ active: [], knobs: {}, hidden: true });
    // The vocabulary and the scenario list name every scenario; the statuses name none.
    expect(JSON.stringify(before.json().status)).not.toContain(picks[0]!.scenario);
    expect(JSON.stringify(lab.json().status)).not.toContain(picks[0]!.scenario);

    expect((await call('/api/lab/mystery/guess', { causes: [{ kind: 'slowness', service: 'gateway' }] })).status).toBe(400);
    expect((await call('/api/lab/mystery/guess', { nothing: true })).json().error.message).toMatch(/a guess is/);
    expect((await call('/api/lab/mystery/guess', { causes: [{ kind: 'cpu' }] })).json().error.message).toMatch(/a guess is/);
    const [cause] = causesOf(picks);
    const guess = await call('/api/lab/mystery/guess', { causes: [cause] });
    expect(guess.status).toBe(200);
    expect(guess.json()).toMatchObject({
      result: { points: 1 },
      answer: [{ scenario: picks[0]!.scenario, cause }],
      diagnosis: null,
      unavailable: expect.stringMatching(/did not answer at .*: connection refused/),
      status: { active: true, guessed: { points: 1 } },
      history: [{ seed, points: 1 }],
    });
    expect((await call('/api/lab/mystery/guess', { causes: [cause] })).status).toBe(409);
    // The reveal resets every knob: with the services down it fails, and the mystery stays on.
    const reveal = await call('/api/lab/mystery/reveal', {});
    expect(reveal.status).toBe(502);
    expect((await call('/api/lab/mystery')).json().status.active).toBe(true);
    expect(guess.text + reveal.text).not.toContain(TOKEN);
  });
});
