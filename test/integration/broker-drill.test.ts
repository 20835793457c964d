// Drill: the broker SIGKILLed under load and started again on the same file store. Every event
// the broker acknowledged to the gateway must be in the stream afterwards, and every answer the
// gateway gave must be accounted for: published (acknowledged) or counted as not published.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../clients/wait';
import { ensureBackend } from '../../tools/backends/cache';
import { type RunningProcess, startProcess } from '../../tools/runner/process';
import { type Cluster, PORTS, predict, startCluster } from './harness';

const CLIENT_PORT = 14232;
const MONITOR_PORT = 18232;
const REQUESTS = 1200;
const CONCURRENCY = 8;

let broker: RunningProcess | undefined;
let cluster: Cluster;
let storeDir: string;

async function startBroker(): Promise<RunningProcess> {
  return startProcess(
    {
      name: 'nats',
      command: await ensureBackend('nats-server'),
      args: [
        '--addr=127.0.0.1',
        `--port=${CLIENT_PORT}`,
        `--http_port=${MONITOR_PORT}`,
        '--server_name=drill',
        '--jetstream',
        `--store_dir=${storeDir}`,
      ],
      readyUrl: `http://127.0.0.1:${MONITOR_PORT}/healthz?js-enabled-only=true`,
      ports: [CLIENT_PORT, MONITOR_PORT],
    },
    { readyTimeoutMs: 20_000, stopGraceMs: 3000 },
  );
}

beforeAll(async () => {
  storeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tracelab-nats-drill-'));
  broker = await startBroker();
  cluster = await startCluster({}, undefined, { NATS_URL: `nats://127.0.0.1:${CLIENT_PORT}` });
}, 60_000);

afterAll(async () => {
  await cluster?.stop();
  await broker?.stop();
  fs.rmSync(storeDir, { recursive: true, force: true });
});

async function gatewayCounter(line: RegExp): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${PORTS.gateway.metrics}/metrics`)).text();
  return text
    .split('\n')
    .filter((l) => line.test(l))
    .reduce((sum, l) => sum + Number(l.split(' ').at(-1)), 0);
}

describe('the broker killed under load', () => {
  it('loses no event it acknowledged, and every answer is published or counted', async () => {
    let answered = 0;
    let next = 0;
    let killed: Promise<void> | undefined;
    let answeredWhenBack = 0;
    const worker = async () => {
      while (next < REQUESTS) {
        next++;
        const { status } = await predict(cluster.gateway.url);
        expect(status).toBe(200);
        answered++;
        // A quarter of the way in: SIGKILL, and back on the same store a second later.
        if (answered === Math.floor(REQUESTS / 4) && !killed)
          killed = (async () => {
            await broker!.kill('SIGKILL');
            await new Promise((resolve) => setTimeout(resolve, 1000));
            broker = await startBroker();
            answeredWhenBack = answered;
          })();
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    await killed;
    expect(answered).toBe(REQUESTS);
    // The broker was away while answers went on, and came back before the traffic ended.
    expect(answeredWhenBack).toBeGreaterThan(REQUESTS / 4);
    expect(answeredWhenBack).toBeLessThan(REQUESTS);
    // Every event either acknowledged or given up on (the gateway retries for a while).
    const accounted = await eventually(
      async () => {
        const published = await gatewayCounter(/^tracelab_messaging_published_total/);
        const failed = await gatewayCounter(/^tracelab_messaging_publish_failures_total/);
        return published + failed === REQUESTS ? { published, failed } : undefined;
      },
      { timeoutMs: 60_000, what: 'every event acknowledged or counted as failed' },
    );
    const nc = await connect({ servers: `nats://127.0.0.1:${CLIENT_PORT}` });
    try {
      const stored = (await (await jetstreamManager(nc)).streams.info('PREDICTIONS')).state.messages;
      // What the monitor counted so far (an event whose ack the broker lost may count twice: reported, not asserted).
      const processedText = await (await fetch(`http://127.0.0.1:${PORTS['model-inference'].metrics}/metrics`)).text();
      const processed = processedText
        .split('\n')
        .filter((l) => l.startsWith('tracelab_monitor_served_predictions_total'))
        .reduce((sum, l) => sum + Number(l.split(' ').at(-1)), 0);
      console.log(
        `[drill] ${REQUESTS} answers (broker back after ${answeredWhenBack}): ${accounted.published} acknowledged, ${accounted.failed} counted as failed, ${stored} in the stream, ${processed} processed by the monitor so far`,
      );
      expect(stored).toBeGreaterThanOrEqual(accounted.published);
      // The message id makes a retried publish count once.
      expect(stored).toBeLessThanOrEqual(REQUESTS);
    } finally {
      await nc.close();
    }
  });
});
