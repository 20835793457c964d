// The asynchronous hop's lessons on the real stack (docs/lessons/consumer-lag.md,
// poison-message.md, broken-event-propagation.md): each scenario is turned on through the lab,
// driven with a bounded burst, and its evidence read back from Prometheus (lag, redeliveries, dead
// letters, the lag alert), Jaeger (batch traces and their links, through `npm run why`) and
// VictoriaLogs; then reset, and the evidence is gone.
import path from 'node:path';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import type { TraceLinks, TraceReport } from '../../analysis';
import { scenarioOn } from '../../lab/actions';
import { repoRoot } from '../../local/paths';
import { alertState, customers, drive, lab, promNumber, resetAll } from './lab-support';
import { batchTracesSince, concurrently, eventually, type JaegerTrace, predict, URLS, waitForCompleteTrace, waitForLogs } from './support';

type LinkedReport = TraceReport & { links: TraceLinks };

async function whyJson(traceId: string): Promise<LinkedReport> {
  const result = await execa('node', [path.join(repoRoot, 'dist/tools/cli/why.js'), traceId, '--json', '--no-logs'], { reject: false });
  expect({ code: result.exitCode, stderr: String(result.stderr) }).toEqual({ code: 0, stderr: '' });
  return JSON.parse(String(result.stdout)) as LinkedReport;
}

/** The spans that processed a request's event, once there are at least `count`. */
function processingOf(traceId: string, count: number, timeoutMs: number) {
  return eventually(
    async () => {
      const spans = (await whyJson(traceId)).links.processed_in[0]?.processed_by ?? [];
      return spans.length >= count ? spans : undefined;
    },
    { timeoutMs, intervalMs: 2000, what: `${count} batch span(s) that processed the event of ${traceId}` },
  );
}

const numberTag = (trace: JaegerTrace, key: string) => Number(trace.spans[0]!.tags.find((t) => t.key === key)?.value ?? Number.NaN);

const counter = (name: string) => promNumber(`sum(${name}{job="model-inference"})`);

/** The client-side median of a burst's latencies. */
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

afterEach(resetAll, 120_000);

describe('consumer-lag', () => {
  it('grows a backlog that ages until the lag alert fires, while the answers keep their speed; the reset drains it', async () => {
    // The same burst with the monitor keeping up, for the latency to compare with.
    const baseline = await drive(80, 8, customers(31));
    await eventually(async () => ((await promNumber('max(tracelab_monitor_lag_pending)')) === 0 ? true : undefined), {
      timeoutMs: 60_000,
      what: 'the monitor caught up before the scenario',
    });

    await scenarioOn('consumer-lag', 'severe', lab());
    const started = Date.now();
    // 320 events at 4 a second at most: over a minute of backlog from 10-20 s of traffic.
    const answers = await drive(320, 8, customers(32));
    expect(answers.every((a) => a.status === 200)).toBe(true);
    // The answers did not wait for the monitor: their median is the baseline's, within noise.
    expect(median(answers.map((a) => a.ms))).toBeLessThan(1.5 * median(baseline.map((a) => a.ms)) + 20);

    const pendingPeak = await eventually(
      async () => {
        const pending = await promNumber('max(tracelab_monitor_lag_pending)');
        return pending >= 100 ? pending : undefined;
      },
      { timeoutMs: 60_000, what: 'a backlog of 100 events or more' },
    );
    expect(pendingPeak).toBeGreaterThanOrEqual(100);
    // The oldest event ages past 30 s and stays there for 30 s: the alert.
    await eventually(async () => ((await alertState('PredictionEventsLagging')) === 'firing' ? true : undefined), {
      timeoutMs: 150_000,
      intervalMs: 2000,
      what: 'PredictionEventsLagging firing',
    });

    const firingAfterS = (Date.now() - started) / 1000;

    // In the traces: a request from the middle of the burst was answered in well under a second,
    // and its event waited in the stream for many seconds before a batch took it.
    const middle = answers[160]!;
    const [batch] = await processingOf(middle.traceId, 1, 150_000);
    const batchTrace = (await fetch(`${URLS.jaeger}/api/traces/${batch!.trace_id}`).then((r) => r.json())) as { data: JaegerTrace[] };
    const waitedMs = numberTag(batchTrace.data[0]!, 'tracelab.monitor.oldest_event_wait_ms');
    expect(waitedMs).toBeGreaterThan(10_000);
    expect(middle.ms).toBeLessThan(1000);
    console.log(
      `[consumer-lag] answer medians ${median(baseline.map((a) => a.ms)).toFixed(0)} ms without, ${median(answers.map((a) => a.ms)).toFixed(0)} ms with the slow monitor; backlog ≥ ${pendingPeak}; alert firing ${firingAfterS.toFixed(0)} s after the scenario went on; a mid-burst request answered in ${middle.ms.toFixed(0)} ms, its batch's oldest event had waited ${(waitedMs / 1000).toFixed(1)} s`,
    );

    // Fixed (the reset): the backlog drains, the alert resolves.
    await resetAll();
    await eventually(
      async () => {
        const pending = await promNumber('max(tracelab_monitor_lag_pending)');
        const state = await alertState('PredictionEventsLagging');
        return pending === 0 && state === undefined ? true : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 2000, what: 'the backlog drained and the alert resolved' },
    );
  }, 420_000);
});

describe('poison-message', () => {
  it('redelivers each failing event, then dead-letters it with its trace id; the answers are untouched', async () => {
    const [deadBefore, redeliveredBefore] = [
      await counter('tracelab_monitor_dead_letters_total'),
      await counter('tracelab_monitor_redeliveries_total'),
    ];
    await scenarioOn('poison-message', undefined, lab());
    const next = customers(41);
    const answers = await concurrently(24, 4, async () => {
      const features = next() as { plan: string };
      const { status, body } = await predict({}, { customer_id: 'lab-customer', features });
      return { status, features, traceId: String(body.trace_id) };
    });
    expect(answers.every((a) => a.status === 200)).toBe(true);
    const poisoned = answers.filter((a) => a.features.plan === 'enterprise').length;
    expect(poisoned).toBeGreaterThanOrEqual(3);

    // Four deliveries each (MONITOR_MAX_DELIVER), then the dead-letter subject.
    await eventually(async () => ((await counter('tracelab_monitor_dead_letters_total')) - deadBefore === poisoned ? true : undefined), {
      timeoutMs: 90_000,
      intervalMs: 2000,
      what: `${poisoned} dead letters`,
    });
    const redelivered = (await counter('tracelab_monitor_redeliveries_total')) - redeliveredBefore;
    console.log(`[poison-message] ${poisoned} of ${answers.length} events poisoned: ${redelivered} redeliveries, ${poisoned} dead letters`);
    expect(redelivered).toBe(3 * poisoned);

    // One poisoned request: its event was processed in four batch traces, each of which failed it.
    const victim = answers.find((a) => a.features.plan === 'enterprise')!;
    const batches = await processingOf(victim.traceId, 4, 90_000);
    expect(batches).toHaveLength(4);
    for (const batch of batches) {
      const trace = (await fetch(`${URLS.jaeger}/api/traces/${batch.trace_id}`).then((r) => r.json())) as { data: JaegerTrace[] };
      const span = trace.data[0]!.spans.find((s) => s.spanID === batch.span_id)!;
      expect(span.tags.find((t) => t.key === 'error')?.value).toBe(true);
      expect(JSON.stringify(span.logs)).toContain('event failed');
    }
    // The dead letter's log line names the request's trace.
    const [line] = await waitForLogs(
      `_time:5m service.name:model-inference "prediction event sent to the dead-letter subject" producer_trace_id:${victim.traceId}`,
    );
    expect(line!.cause).toMatch(/no drift baseline for plan "enterprise"/);

    // Fixed: an enterprise customer's event is processed once, and nothing more is dead-lettered.
    await resetAll();
    const deadAfterFix = await counter('tracelab_monitor_dead_letters_total');
    const { body } = await predict({}, { customer_id: 'lab-customer', features: victim.features });
    await waitForCompleteTrace(body.trace_id);
    expect(await processingOf(body.trace_id, 1, 60_000)).toHaveLength(1);
    expect(await counter('tracelab_monitor_dead_letters_total')).toBe(deadAfterFix);
  }, 300_000);
});

describe('broken-event-propagation', () => {
  it("leaves the monitor's batch spans without links: the request's event is processed, but nobody can tell where", async () => {
    await scenarioOn('broken-event-propagation', undefined, lab());
    const since = Date.now();
    const { status, body } = await predict();
    expect(status).toBe(200);
    const request = await waitForCompleteTrace(body.trace_id);
    // The producer span is still there: the gateway traced its publish; only the headers lost the context.
    expect(request.spans.map((s) => s.operationName)).toContain('publish tracelab.predictions');
    // The batch that took the event: events, and no link to any of them.
    const batch = await eventually(
      async () => (await batchTracesSince(since)).find((t) => numberTag(t, 'messaging.batch.message_count') >= 1),
      { timeoutMs: 60_000, intervalMs: 2000, what: 'a batch trace after the request' },
    );
    expect(batch.spans[0]!.references).toEqual([]);
    expect((await whyJson(body.trace_id)).links.processed_in[0]?.processed_by).toEqual([]);

    // Fixed: the next request's event is linked again.
    await resetAll();
    const fixed = await predict();
    await waitForCompleteTrace(fixed.body.trace_id);
    expect(await processingOf(fixed.body.trace_id, 1, 60_000)).toHaveLength(1);
  }, 180_000);
});
