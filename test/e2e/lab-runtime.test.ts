// Fault lab, runtime scenarios inside model-inference (docs/lessons/cpu-bound.md,
// lock-contention.md, memory-leak.md): turned on with the lab's functions, driven with bounded
// traffic, evidence read back from the backends; then reset and the evidence is gone.
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { scenarioOn } from '../../lab/actions';
import { putKnobs } from '../../lab/context';
import { type Answer, alertState, drive, freshSample, lab, promNumber, resetAll, whyTrace } from './lab-support';
import { eventually, URLS, waitForLogs } from './support';

beforeEach(resetAll);
afterAll(resetAll);

const MODEL_URL = 'http://127.0.0.1:8081';
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Sends predictions `concurrency` at a time until `ms` have passed. */
async function driveFor(ms: number, concurrency: number): Promise<Answer[]> {
  const until = Date.now() + ms;
  const answers: Answer[] = [];
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < until) answers.push(...(await drive(1, 1)));
    }),
  );
  return answers;
}

/** Times model-inference's /healthz, sequentially, until `until` resolves. */
async function probeHealth(until: Promise<unknown>): Promise<number[]> {
  let done = false;
  void until.finally(() => {
    done = true;
  });
  const times: number[] = [];
  while (!done) {
    const started = performance.now();
    await (await fetch(`${MODEL_URL}/healthz`)).body?.cancel();
    times.push(performance.now() - started);
  }
  return times;
}

describe('cpu-bound', () => {
  it('blocks the event loop: utilization and delay rise, every endpoint slows, model.infer has self time and no children; reset ends it', async () => {
    await scenarioOn('cpu-bound', undefined, lab());
    const load = driveFor(11_000, 4);
    const health = await probeHealth(load);
    const answers = await load;

    // Even /healthz, which does nothing, waits for the CPU bursts of other requests.
    expect(mean(health)).toBeGreaterThan(5);
    const end = await freshSample('nodejs_eventloop_utilization{job="model-inference"}');
    expect(await promNumber(`max_over_time(nodejs_eventloop_utilization{job="model-inference"}[8s] @ ${end})`)).toBeGreaterThan(0.6);
    expect(await promNumber(`max_over_time(nodejs_eventloop_delay_p99{job="model-inference"}[8s] @ ${end})`)).toBeGreaterThan(0.015);

    // A trace: model.infer lasts at least its CPU work and has no child span: all self time.
    const fromModel = answers.find((a) => a.body.source === 'model')!;
    const { trace, report } = await whyTrace(fromModel.traceId);
    const infer = trace.spans.find((s) => s.name === 'model.infer')!;
    expect(infer.durationNs / 1e6).toBeGreaterThanOrEqual(25);
    expect(infer.childIds).toEqual([]);
    expect(report.spans.find((s) => s.span_id === infer.spanId)!.self_ms).toBeCloseTo(infer.durationNs / 1e6, 0);

    await resetAll();
    const quiet = driveFor(11_000, 1);
    const healthAfter = await probeHealth(quiet);
    await quiet;
    expect(mean(healthAfter)).toBeLessThan(5);
    const after = await freshSample('nodejs_eventloop_utilization{job="model-inference"}');
    expect(await promNumber(`nodejs_eventloop_utilization{job="model-inference"} @ ${after}`)).toBeLessThan(0.4);
  });
});

describe('lock-contention', () => {
  it('queues requests behind one lock: latency grows with concurrency, not work, and the wait is a span; reset ends it', async () => {
    await scenarioOn('lock-contention', undefined, lab());
    const alone = await drive(16, 1);
    const crowded = await drive(48, 4);
    const modelMs = (answers: Answer[]) => mean(answers.filter((a) => a.body.source === 'model').map((a) => a.ms));
    expect(modelMs(crowded)).toBeGreaterThan(2.5 * modelMs(alone));

    // The slowest crowded request: most of model.infer is spent in model.lock.wait, the largest
    // piece of the critical path (as `npm run why` reports it).
    const slowest = crowded.filter((a) => a.body.source === 'model').sort((a, b) => b.ms - a.ms)[0]!;
    const { trace, report } = await whyTrace(slowest.traceId);
    const infer = trace.spans.find((s) => s.name === 'model.infer')!;
    const wait = trace.spans.find((s) => s.name === 'model.lock.wait')!;
    expect(wait.parentId).toBe(infer.spanId);
    expect(wait.durationNs).toBeGreaterThan(0.5 * infer.durationNs);
    expect(report.self_time[0]).toMatchObject({ service: 'model-inference', operation: 'model.lock.wait' });

    await resetAll();
    await putKnobs('model-inference', { latency_median_ms: 25, latency_p99_ms: 50, seed: 7 }, lab());
    const aloneAfter = await drive(16, 1);
    const crowdedAfter = await drive(48, 4);
    expect(modelMs(crowdedAfter)).toBeLessThan(1.5 * modelMs(aloneAfter));
    const { trace: after } = await whyTrace(crowdedAfter[0]!.traceId);
    expect(after.spans.some((s) => s.name === 'model.lock.wait')).toBe(false);
  });
});

describe('memory-leak', () => {
  const ALERT = 'HeapGrowing';
  const HEAP = 'v8js_memory_heap_used{job="model-inference"}';

  /** Drives traffic (4 at a time, as fast as the service answers) until `done` resolves or the deadline passes. */
  async function whileDriving<T>(done: () => Promise<T>): Promise<T> {
    let stop = false;
    const load = (async () => {
      while (!stop) await drive(8, 4);
    })();
    try {
      return await done();
    } finally {
      stop = true;
      await load;
    }
  }

  it('grows the heap until the heap-growth alert fires; reset releases the heap and resolves the alert', async () => {
    const heapAt = (time: number) => promNumber(`sum(${HEAP} @ ${time})`);
    const before = await heapAt(await freshSample(HEAP));
    // mild: 64 KiB per inference at 4 in flight: the heap grew by 3.2-4.1 MiB/s in two runs, well
    // above the rule's 1 MiB/s (it fired after ~40 s), and the 512 MiB cap is 2+ minutes away.
    await scenarioOn('memory-leak', 'mild', lab());
    const on = Date.now();
    await whileDriving(() =>
      eventually(async () => ((await alertState(ALERT)) === 'firing' ? true : undefined), {
        timeoutMs: 90_000,
        intervalMs: 1000,
        what: `${ALERT} firing`,
      }),
    );
    const firedAfterS = (Date.now() - on) / 1000;
    const end = await freshSample(HEAP);
    const slope = await promNumber(`deriv(tracelab:heap_used_bytes:sum{job="model-inference"}[1m] @ ${end})`);
    console.log(`[memory-leak] ${ALERT} fired after ${firedAfterS.toFixed(0)} s; heap slope ${(slope / 1048576).toFixed(2)} MiB/s`);
    expect(await heapAt(end)).toBeGreaterThan(before + 64 * 1024 * 1024);
    expect(slope).toBeGreaterThan(1024 * 1024);

    // Reset drops what was kept, and without the leak's traffic the heap stops growing: once the
    // one-minute slope has fallen under the rule's 1 MiB/s, the alert resolves. (When the gauge
    // falls back is V8's choice, at its next major collection, so it is not asserted; under
    // steady traffic that collection can be minutes away, while the heap still creeps up.)
    await resetAll();
    const reset = Date.now();
    await waitForLogs(`{service.name="model-inference"} _time:5m "leaked heap released"`);
    await eventually(async () => ((await alertState(ALERT)) === undefined ? true : undefined), {
      timeoutMs: 120_000,
      intervalMs: 1000,
      what: `${ALERT} resolved`,
    });
    console.log(`[memory-leak] ${ALERT} resolved ${((Date.now() - reset) / 1000).toFixed(0)} s after the reset`);
    expect((await fetch(`${URLS.gateway}/healthz`)).ok).toBe(true);
  });
});
