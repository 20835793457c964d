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
import { MONITOR_CONSUMER } from '../../services/model-inference/src/monitor';
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
      expect(stored).toBeGreaterThanOrEqual(accounted.published);
      // The message id makes a retried publish count once.
      expect(stored).toBeLessThanOrEqual(REQUESTS);
      // The monitor processes each stored event once: one whose ack the killed broker lost comes
      // back, is recognised by its stream sequence, acknowledged and not counted again.
      const monitorCounter = async (name: string) =>
        (await (await fetch(`http://127.0.0.1:${PORTS['model-inference'].metrics}/metrics`)).text())
          .split('\n')
          .filter((l) => l.startsWith(name))
          .reduce((sum, l) => sum + Number(l.split(' ').at(-1)), 0);
      // Until the monitor's consumer has acknowledged everything: an event whose ack was lost
      // comes back only after the ack wait (30 s), and must not count twice then either.
      const jsm = await jetstreamManager(nc);
      await eventually(
        async () => {
          const info = await jsm.consumers.info('PREDICTIONS', MONITOR_CONSUMER);
          return info.num_pending + info.num_ack_pending === 0 ? true : undefined;
        },
        { timeoutMs: 90_000, intervalMs: 1000, what: 'every stored event acknowledged by the monitor' },
      );
      const processed = await monitorCounter('tracelab_monitor_served_predictions_total');
      const duplicates = await monitorCounter('tracelab_monitor_duplicates_total');
      console.log(
        `[drill] ${REQUESTS} answers (broker back after ${answeredWhenBack}): ${accounted.published} acknowledged, ${accounted.failed} counted as failed, ${stored} in the stream, ${processed} processed by the monitor, ${duplicates} delivered again after processing and skipped`,
      );
      expect(processed).toBe(stored);
    } finally {
      await nc.close();
    }
  }, 300_000);
});
