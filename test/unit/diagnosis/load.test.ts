// Loading a diagnosis from the backends (analysis/diagnosis/load.ts) when one of them fails.
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

describe('loadDiagnosisInput', () => {
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
