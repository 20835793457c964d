// The broker being away never fails or slows an answer: with NATS_URL at a port that accepts
// connections and never speaks (the worst case: every connect waits for its timeout), the gateway
// answers as usual, keeps what its buffer holds, and counts and logs the events it drops.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../clients/wait';
import { type Cluster, PORTS, predict, startCluster } from './harness';

const BUFFER = 10;
const REQUESTS = 40;

let cluster: Cluster;
let silent: net.Server;
const sockets = new Set<net.Socket>();

beforeAll(async () => {
  silent = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const { port } = silent.address() as net.AddressInfo;
  cluster = await startCluster({ EVENT_BUFFER: String(BUFFER) }, undefined, { NATS_URL: `nats://127.0.0.1:${port}` });
}, 60_000);

afterAll(async () => {
  await cluster?.stop();
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => silent?.close(resolve));
});

describe('with the broker not answering', () => {
  const durations: number[] = [];

  it('answers every request from the model, each well within the time a broker wait would take', async () => {
    // The client connects for 2 s before giving up: a request that waited on it would show.
    await eventually(() => sockets.size > 0 || undefined, { what: 'a connection attempt to the silent broker' });
    for (let i = 0; i < REQUESTS; i++) {
      const started = performance.now();
      const { status, body } = await predict(cluster.gateway.url);
      durations.push(performance.now() - started);
      expect(status).toBe(200);
      expect(body.source).toBe('model');
    }
    // Model latency here: median 5 ms, p99 20 ms (harness.ts).
    const sorted = [...durations].sort((a, b) => a - b);
    expect(sorted[Math.floor(REQUESTS * 0.9)]).toBeLessThan(250);
  });

  it('counts the events its buffer could not hold and logs them, once', async () => {
    const metricsUrl = `http://127.0.0.1:${PORTS.gateway.metrics}/metrics`;
    const dropped = await eventually(
      async () => {
        const text = await (await fetch(metricsUrl)).text();
        const line = text.split('\n').find((l) => /^tracelab_messaging_publish_failures_total\{.*reason="buffer_full"/.test(l));
        return line ? Number(line.split(' ').at(-1)) : undefined;
      },
      { what: 'the publish failure counter' },
    );
    expect(dropped).toBe(REQUESTS - BUFFER);
    const buffered = /^tracelab_messaging_publish_buffered(\{[^}]*\})? (\d+)/m.exec(await (await fetch(metricsUrl)).text());
    expect(Number(buffered?.[2])).toBe(BUFFER);
    // One log line for the first drop; the rest within 10 s are summed into the next one.
    const lines = cluster.gateway.logs.filter((l) => l.msg === 'prediction events not published');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ reason: 'buffer_full', dropped: 1 });
  });
});
