// Loading a diagnosis from the backends (analysis/diagnosis/load.ts): a very large trace, and a
// backend that fails.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { loadDiagnosisInput } from '../../../analysis/diagnosis/load';
import { BackendUnavailableError } from '../../../analysis/errors';

const servers: http.Server[] = [];

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

async function listen(handler: http.RequestListener): Promise<string> {
  const server = http.createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A promise and the function that settles it. */
function signal(): { done: Promise<void>; settle: () => void } {
  let settle!: () => void;
  const done = new Promise<void>((resolve) => {
    settle = resolve;
  });
  return { done, settle };
}

/** Backends that answer: Jaeger with one trace of `spans` spans (a server root, the rest its children) for every search. */
async function backendsWithOneTrace(spans: number): Promise<string> {
  const traceId = 'ab'.repeat(16);
  const startNs = BigInt(Date.now() - 30_000) * 1_000_000n;
  const span = (i: number) => ({
    traceId,
    spanId: (i + 1).toString(16).padStart(16, '0'),
    ...(i ? { parentSpanId: '1'.padStart(16, '0') } : {}),
    name: i ? `step ${i % 10}` : 'GET /big',
    kind: i ? 1 : 2,
    startTimeUnixNano: String(startNs + BigInt(i) * 1000n),
    endTimeUnixNano: String(startNs + (i ? BigInt(i) * 1000n + 500n : 1_000_000_000n)),
  });
  const search = JSON.stringify({
    result: {
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'big' } }] },
          scopeSpans: [{ scope: { name: 'test' }, spans: Array.from({ length: spans }, (_, i) => span(i)) }],
        },
      ],
    },
  });
  return listen((request, response) => {
    const url = new URL(request.url ?? '/', 'http://backend');
    const json = (body: string) => response.writeHead(200, { 'content-type': 'application/json' }).end(body);
    if (url.pathname === '/api/v3/services') return json('{"services":["big"]}');
    if (url.pathname === '/api/v3/traces') return json(search);
    if (url.pathname === '/api/v1/query') return json('{"status":"success","data":{"resultType":"vector","result":[]}}');
    return response.writeHead(200).end(); // VictoriaLogs: no lines
  });
}

describe('loadDiagnosisInput', () => {
  it('reads a 30,000-span trace whole, in the time of the test (splitting a search answer by trace is linear)', async () => {
    const url = await backendsWithOneTrace(30_000);
    const now = Date.now();
    const input = await loadDiagnosisInput({
      jaegerUrl: url,
      logsUrl: url,
      prometheusUrl: url,
      window: { fromMs: now - 60_000, toMs: now },
      baseline: { fromMs: now - 120_000, toMs: now - 60_000 },
    });
    expect(input.traces.window.map((trace) => trace.spans.length)).toEqual([30_000]);
    expect(input.traces.baseline.map((trace) => trace.spans.length)).toEqual([30_000]);
  }, 20_000);

  it('stops at the first backend that fails: the requests still waiting on the others are cancelled, not left to their timeouts', async () => {
    // Jaeger's service list and VictoriaLogs' two queries never answer; once all three are in
    // flight, Prometheus fails with a 503.
    const SILENT = 3;
    const received = signal();
    const cancelled = signal();
    let arrived = 0;
    let closed = 0;
    const silentUrl = await listen((_request, response) => {
      if (++arrived === SILENT) received.settle();
      response.on('close', () => {
        if (++closed === SILENT) cancelled.settle();
      });
    });
    const failingUrl = await listen((_request, response) => {
      void received.done.then(() => response.writeHead(503).end('overloaded'));
    });
    const now = Date.now();
    const load = loadDiagnosisInput({
      jaegerUrl: silentUrl,
      logsUrl: silentUrl,
      prometheusUrl: failingUrl,
      window: { fromMs: now - 60_000, toMs: now },
      baseline: { fromMs: now - 120_000, toMs: now - 60_000 },
    });
    await expect(load).rejects.toThrow(BackendUnavailableError);
    await expect(load).rejects.toMatchObject({ backend: 'Prometheus', reason: 'HTTP 503: overloaded' });
    // Without the cancel these stay open for their 30 s and 10 s timeouts: this test's own times out first.
    await cancelled.done;
    expect(closed).toBe(SILENT);
  }, 5000);
});
