// The asynchronous hop with a real NATS server (the stack's own build, on test ports): the
// gateway's producer span after the response, its context in the message headers, the model
// monitor's batch span linked to it in a trace of its own, and the metrics computed from events.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, headers } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../clients/wait';
import { ensureBackend } from '../../tools/backends/cache';
import { type RunningProcess, startProcess } from '../../tools/runner/process';
import { type ReceivedSpan, SPAN_KIND } from '../support/otlp-receiver';
import { type Cluster, PORTS, predict, randomHex, setModelBehaviour, startCluster } from './harness';

const CLIENT_PORT = 14222;
const MONITOR_PORT = 18222;

let broker: RunningProcess;
let cluster: Cluster;
let storeDir: string;

/** A NATS server with JetStream on test ports, with its file store in a fresh folder. */
async function startBroker(dir: string): Promise<RunningProcess> {
  return startProcess(
    {
      name: 'nats',
      command: await ensureBackend('nats-server'),
      args: [`--addr=127.0.0.1`, `--port=${CLIENT_PORT}`, `--http_port=${MONITOR_PORT}`, '--jetstream', `--store_dir=${dir}`],
      readyUrl: `http://127.0.0.1:${MONITOR_PORT}/healthz?js-enabled-only=true`,
      ports: [CLIENT_PORT, MONITOR_PORT],
    },
    { readyTimeoutMs: 20_000, stopGraceMs: 3000 },
  );
}

beforeAll(async () => {
  storeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tracelab-nats-'));
  broker = await startBroker(storeDir);
  cluster = await startCluster({}, undefined, { NATS_URL: `nats://127.0.0.1:${CLIENT_PORT}` });
}, 60_000);

afterAll(async () => {
  await cluster?.stop();
  await broker?.stop();
  fs.rmSync(storeDir, { recursive: true, force: true });
});

const producerOf = (traceId: string) =>
  eventually(() => cluster.receiver.spansOf(traceId).find((s) => s.kind === SPAN_KIND.PRODUCER), { what: `producer span in ${traceId}` });

/** The batch span that links to a producer span. */
const batchLinking = (producer: ReceivedSpan) =>
  eventually(
    () =>
      cluster.receiver.spans.find(
        (s) => s.kind === SPAN_KIND.CONSUMER && s.links.some((l) => l.traceId === producer.traceId && l.spanId === producer.spanId),
      ),
    { what: `a consumer span linked to ${producer.spanId}` },
  );

/** The sum of the samples on the lines of a /metrics page that match. */
async function metric(url: string, line: RegExp): Promise<number> {
  const text = await (await fetch(url)).text();
  return text
    .split('\n')
    .filter((l) => line.test(l))
    .reduce((sum, l) => sum + Number(l.split(' ').at(-1)), 0);
}

describe('the prediction event', () => {
  it('is published after the response, by a producer span that follows the messaging conventions', async () => {
    const { body } = await predict(cluster.gateway.url);
    const producer = await producerOf(body.trace_id);
    const server = cluster.receiver.spansOf(body.trace_id).find((s) => s.service === 'gateway' && s.kind === SPAN_KIND.SERVER)!;
    expect(producer.service).toBe('gateway');
    expect(producer.name).toBe('publish tracelab.predictions');
    expect(producer.parentSpanId).toBe(server.spanId);
    expect(producer.attributes).toMatchObject({
      'messaging.system': 'nats',
      'messaging.destination.name': 'tracelab.predictions',
      'messaging.operation.type': 'send',
    });
    expect(producer.attributes['messaging.message.id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(producer.attributes['messaging.nats.stream.sequence']).toBeGreaterThan(0);
    expect(producer.status.code ?? 0).not.toBe(2);
    // Sent once the answer has gone: it starts after the request's server span ended (the SDK
    // takes a span's start from Date.now(), whole milliseconds: up to 1 ms early) and ends later.
    const [start, end, serverEnd] = [producer.startUnixNano, producer.endUnixNano, server.endUnixNano].map(BigInt) as [
      bigint,
      bigint,
      bigint,
    ];
    expect(start + 1_000_000n).toBeGreaterThanOrEqual(serverEnd);
    expect(end).toBeGreaterThan(serverEnd);
  });

  it("is processed in a batch whose span, in a trace of its own, links to the event's producer span", async () => {
    const { body } = await predict(cluster.gateway.url);
    const producer = await producerOf(body.trace_id);
    const batch = await batchLinking(producer);
    expect(batch.service).toBe('model-inference');
    expect(batch.name).toBe('process tracelab.predictions');
    expect(batch.traceId).not.toBe(body.trace_id);
    expect(batch.parentSpanId).toBe('');
    expect(batch.attributes).toMatchObject({ 'messaging.system': 'nats', 'messaging.operation.type': 'process' });
    expect(batch.attributes['messaging.batch.message_count']).toBe(batch.links.length);
  });

  it('takes many events into one batch, one link each', async () => {
    const answers = await Promise.all(Array.from({ length: 12 }, () => predict(cluster.gateway.url)));
    const producers = await Promise.all(answers.map(({ body }) => producerOf(body.trace_id)));
    const batches = await Promise.all(producers.map(batchLinking));
    // At most a second apart, twelve events land in fewer batches than events.
    expect(new Set(batches.map((b) => b.spanId)).size).toBeLessThan(12);
    const linked = new Set(batches.flatMap((b) => b.links.map((l) => l.spanId)));
    for (const p of producers) expect(linked.has(p.spanId)).toBe(true);
  });

  it('lets the monitor count the answers the fallback gave, which the model never sees', async () => {
    const metricsUrl = `http://127.0.0.1:${PORTS['model-inference'].metrics}/metrics`;
    const fallbackLine = /^tracelab_monitor_served_predictions_total\{.*source="fallback"/;
    const before = await metric(metricsUrl, fallbackLine);
    await setModelBehaviour(cluster.model.url, { error_rate: 1 });
    try {
      for (let i = 0; i < 3; i++) expect((await predict(cluster.gateway.url)).body.source).toBe('fallback');
    } finally {
      await setModelBehaviour(cluster.model.url, { error_rate: 0 });
    }
    await eventually(async () => ((await metric(metricsUrl, fallbackLine)) >= before + 3 ? true : undefined), {
      what: 'three fallback answers counted by the monitor',
    });
  });
});

describe('an event the monitor cannot process', () => {
  it('is delivered again, then dead-lettered with its trace context; each attempt visible in traces, logs and metrics', async () => {
    const metricsUrl = `http://127.0.0.1:${PORTS['model-inference'].metrics}/metrics`;
    const deadBefore = await metric(metricsUrl, /^tracelab_monitor_dead_letters_total/);
    // A poison message: not a prediction event, from a producer whose context it carries.
    const traceId = randomHex(16);
    const spanId = randomHex(8);
    const nc = await connect({ servers: `nats://127.0.0.1:${CLIENT_PORT}` });
    try {
      const poison = headers();
      poison.set('traceparent', `00-${traceId}-${spanId}-01`);
      await jetstream(nc).publish('tracelab.predictions', 'not an event', { headers: poison });

      // One batch span per delivery, each linked to the producer and marked failed.
      const attempts = await eventually(
        () => {
          const linked = cluster.receiver.spans.filter((s) => s.kind === SPAN_KIND.CONSUMER && s.links.some((l) => l.spanId === spanId));
          return linked.length >= 4 ? linked : undefined;
        },
        { what: 'four batch spans linked to the poison message' },
      );
      expect(attempts).toHaveLength(4);
      for (const span of attempts) {
        expect(span.status.code).toBe(2);
        expect(span.events.map((e) => e.name)).toContain('event failed');
      }

      // The dead letter keeps the producer's context and says why and after how many deliveries.
      const dead = await eventually(
        async () =>
          (await jetstreamManager(nc)).streams
            .getMessage('PREDICTIONS_DEAD', { last_by_subj: 'tracelab.predictions.dead' })
            .catch(() => undefined),
        { what: 'the dead letter' },
      );
      expect(dead!.header.get('traceparent')).toBe(`00-${traceId}-${spanId}-01`);
      expect(dead!.header.get('Tracelab-Deliveries')).toBe('4');
      expect(dead!.header.get('Tracelab-Dead-Reason')).toMatch(/JSON|Unexpected|invalid/i);
      expect(new TextDecoder().decode(dead!.data)).toBe('not an event');
    } finally {
      await nc.close();
    }

    const lines = cluster.model.logs.filter((l) => l.producer_trace_id === traceId);
    expect(lines.map((l) => l.msg)).toEqual([
      'prediction event failed; it will be delivered again',
      'prediction event failed; it will be delivered again',
      'prediction event failed; it will be delivered again',
      'prediction event sent to the dead-letter subject',
    ]);
    expect(await metric(metricsUrl, /^tracelab_monitor_dead_letters_total/)).toBe(deadBefore + 1);
    expect(await metric(metricsUrl, /^tracelab_monitor_redeliveries_total/)).toBeGreaterThanOrEqual(3);
  });
});

describe('the durable consumer', () => {
  it('keeps its position while the monitor is down and processes the backlog once when it is back', async () => {
    const nc = await connect({ servers: `nats://127.0.0.1:${CLIENT_PORT}` });
    const jsm = await jetstreamManager(nc);
    try {
      await cluster.restartModel(async () => {
        // The gateway answers without the model (from the rules) and publishes all the same.
        for (let i = 0; i < 5; i++) expect((await predict(cluster.gateway.url)).status).toBe(200);
        const info = await eventually(
          async () => {
            const i = await jsm.consumers.info('PREDICTIONS', 'model-monitor');
            return i.num_pending >= 5 ? i : undefined;
          },
          { what: 'five events waiting for the stopped monitor' },
        );
        expect(info.num_pending).toBe(5);
      });
      // A new process, so its counters start at 0: each waiting event is counted exactly once.
      const metricsUrl = `http://127.0.0.1:${PORTS['model-inference'].metrics}/metrics`;
      await eventually(async () => ((await metric(metricsUrl, /^tracelab_monitor_served_predictions_total/)) === 5 ? true : undefined), {
        what: 'the backlog of five processed',
      });
      await eventually(async () => ((await jsm.consumers.info('PREDICTIONS', 'model-monitor')).num_pending === 0 ? true : undefined), {
        what: 'nothing left waiting',
      });
      await eventually(async () => ((await metric(metricsUrl, /^tracelab_monitor_lag_pending/)) === 0 ? true : undefined), {
        what: 'the lag gauge back at 0',
      });
      expect(await metric(metricsUrl, /^tracelab_monitor_served_predictions_total/)).toBe(5);
    } finally {
      await nc.close();
    }
  });
});
