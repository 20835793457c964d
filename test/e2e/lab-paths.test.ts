// Fault lab, request-path scenarios (docs/lessons/pool-exhaustion.md, n-plus-one.md,
// broken-propagation.md): turned on with the lab's functions, driven with bounded traffic, the
// evidence read back from Jaeger; then reset and the evidence is gone.
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { scenarioOn } from '../../lab/actions';
import { putKnobs } from '../../lab/context';
import { type Answer, drive, lab, resetAll, whyTrace } from './lab-support';
import { eventually, type JaegerSpan, type JaegerTrace, predict, serviceOf, tag, URLS, waitForCompleteTrace, waitForLogs } from './support';

type TimedSpan = JaegerSpan & { startTime: number; duration: number };

// Every test from a clean lab: one that fails before its own reset must not leave its knobs on for the next.
beforeEach(resetAll);
afterAll(resetAll);

const spansOf = (t: JaegerTrace) => t.spans as TimedSpan[];
const byKind = (t: JaegerTrace, service: string, kind: string) =>
  spansOf(t).filter((s) => serviceOf(t, s) === service && tag(s, 'span.kind') === kind);

/** In one trace: how long after the gateway's server span started did its call to the model start (ms)? */
function hopGap(t: JaegerTrace): { gapMs: number; modelServerMs: number } {
  const server = byKind(t, 'gateway', 'server')[0]!;
  const client = byKind(t, 'gateway', 'client').find((s) => tag(s, 'peer.service') === 'model-inference')!;
  const modelServer = byKind(t, 'model-inference', 'server')[0]!;
  return { gapMs: (client.startTime - server.startTime) / 1000, modelServerMs: modelServer.duration / 1000 };
}

const slowest = (answers: Answer[]) => answers.filter((a) => a.body.source === 'model').sort((a, b) => b.ms - a.ms)[0]!;

/** Jaeger's trace search from `sinceMs` (epoch ms) on, as the lessons' `curl` runs it. */
async function jaegerSearch(params: Record<string, string>, sinceMs: number): Promise<JaegerTrace[]> {
  const query = new URLSearchParams({ ...params, start: String(Math.floor(sinceMs) * 1000) });
  const body = (await (await fetch(`${URLS.jaeger}/api/traces?${query}`)).json()) as { data: JaegerTrace[] | null };
  return body.data ?? [];
}

describe('pool-exhaustion', () => {
  it('makes calls wait for the one connection: a model.pool.wait span before the client span, not time in the model; reset ends it', async () => {
    await putKnobs('model-inference', { latency_median_ms: 20, latency_p99_ms: 30, seed: 7 }, lab());
    await scenarioOn('pool-exhaustion', undefined, lab());
    const since = Date.now();
    const crowded = await drive(24, 4);
    const t = await waitForCompleteTrace(slowest(crowded).traceId);
    const gap = hopGap(t);
    expect(gap.gapMs).toBeGreaterThan(30);
    expect(gap.gapMs).toBeGreaterThan(gap.modelServerMs);
    // The wait is a span of its own: it holds the gap, and the call starts as it ends.
    const wait = spansOf(t).find((s) => s.operationName === 'model.pool.wait')!;
    const client = byKind(t, 'gateway', 'client').find((s) => tag(s, 'peer.service') === 'model-inference')!;
    expect(serviceOf(t, wait)).toBe('gateway');
    expect(wait.duration / 1000).toBeGreaterThan(gap.modelServerMs);
    // The call starts once the wait is over: after its end, within a moment of scheduling on two busy cores.
    const afterWaitMs = (client.startTime - (wait.startTime + wait.duration)) / 1000;
    expect(afterWaitMs).toBeGreaterThanOrEqual(-1);
    expect(afterWaitMs).toBeLessThan(20);
    expect(tag(wait, 'tracelab.pool.connections')).toBe(1);
    // Check yourself: the longest wait, found with the lesson's Jaeger search.
    const waits = await eventually(
      async () => {
        const found = (await jaegerSearch({ service: 'gateway', operation: 'model.pool.wait', limit: '20' }, since))
          .flatMap((x) => spansOf(x))
          .filter((x) => x.operationName === 'model.pool.wait');
        return found.length > 0 ? found : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 1000, what: 'model.pool.wait spans in a Jaeger search' },
    );
    // The search returns the newest traces, not the longest: its longest wait is a real one, as the lesson says.
    expect(Math.max(...waits.map((w) => w.duration)) / 1000).toBeGreaterThan(30);

    await putKnobs('gateway', { model_pool_connections: null }, lab());
    const after = await waitForCompleteTrace(slowest(await drive(24, 4)).traceId);
    // The queue is gone: the slowest request's gap is a fraction of the crowded one (on two busy cores it is not zero).
    expect(hopGap(after).gapMs).toBeLessThan(gap.gapMs / 2);
    expect(spansOf(after).some((s) => s.operationName === 'model.pool.wait')).toBe(false);
  });
});

describe('n-plus-one', () => {
  it('calls fallback-rules once per feature, one after another (a staircase); batched is one call; reset removes it', async () => {
    await scenarioOn('n-plus-one', undefined, lab());
    const [answer] = await drive(1, 1);
    const t = await waitForCompleteTrace(answer!.traceId);
    const lookups = byKind(t, 'gateway', 'client')
      .filter((s) => tag(s, 'peer.service') === 'fallback-rules')
      .sort((a, b) => a.startTime - b.startTime);
    expect(lookups).toHaveLength(4);
    // One after another: each starts after the previous ended. The fetch instrumentation ends a
    // client span on undici's response-end event, which can come just after the caller has moved
    // on to the next call (159 µs in one run): 1 ms of slack, far below a lookup's 20 ms.
    for (let i = 1; i < lookups.length; i++)
      expect(lookups[i]!.startTime).toBeGreaterThanOrEqual(lookups[i - 1]!.startTime + lookups[i - 1]!.duration - 1000);
    const enrich = spansOf(t).find((s) => s.operationName === 'gateway.enrich')!;
    expect(enrich.duration / 1000).toBeGreaterThanOrEqual(80);

    await putKnobs('gateway', { enrich_mode: 'batched' }, lab());
    const batched = await waitForCompleteTrace((await drive(1, 1))[0]!.traceId);
    expect(byKind(batched, 'gateway', 'client').filter((s) => tag(s, 'peer.service') === 'fallback-rules')).toHaveLength(1);

    await resetAll();
    const after = await waitForCompleteTrace((await drive(1, 1))[0]!.traceId);
    expect(spansOf(after).some((s) => s.operationName === 'gateway.enrich')).toBe(false);
  });
});

describe('broken-propagation', () => {
  /** Traces of the last minutes that hold model-inference spans, as Jaeger's search finds them. */
  async function modelTraces(since: number): Promise<JaegerTrace[]> {
    const params = new URLSearchParams({ service: 'model-inference', start: String(since * 1000), limit: '50' });
    const response = await fetch(`${URLS.jaeger}/api/traces?${params}`);
    return ((await response.json()) as { data: JaegerTrace[] }).data;
  }
  /** A root that is a client span: the request came from a caller whose context was dropped. */
  const orphanRoot = (t: JaegerTrace) => spansOf(t).find((s) => s.references.length === 0 && tag(s, 'span.kind') === 'client');

  it('splits the trace: the model work lands in a new trace rooted at a client span; reset joins them again', async () => {
    const since = Date.now();
    await scenarioOn('broken-propagation', undefined, lab());
    const { body } = await predict({ baggage: 'tracelab.lesson=broken-propagation' });
    const traceId = String(body.trace_id);
    expect(body.source).toBe('model');

    // The model's work is in another trace, whose root is the gateway's client span.
    const orphan = await eventually(
      async () =>
        (await modelTraces(since)).find(
          (t) => t.traceID !== traceId && orphanRoot(t) && t.spans.some((s) => s.operationName === 'model.infer'),
        ),
      { timeoutMs: 60_000, intervalMs: 1000, what: 'an orphan trace with the model work' },
    );
    expect(serviceOf(orphan, orphanRoot(orphan)!)).toBe('gateway');
    // The analysis library sees one root, and it is a client span: the caller is in another trace.
    const { trace: split } = await whyTrace(orphan.traceID);
    expect(split.roots.map((id) => split.spans.find((s) => s.spanId === id)!.kind)).toEqual(['client']);
    // The user's trace has the gateway's spans and none of the model's.
    const t = await waitForCompleteTrace(traceId);
    expect(spansOf(t).some((s) => serviceOf(t, s) === 'model-inference')).toBe(false);
    expect(byKind(t, 'gateway', 'client')).toHaveLength(0);
    // The baggage entry is on the gateway's server span, and on no span of the orphan trace.
    const BAGGAGE = 'baggage.tracelab.lesson';
    expect(tag(byKind(t, 'gateway', 'server')[0]!, BAGGAGE)).toBe('broken-propagation');
    expect(spansOf(orphan).some((s) => tag(s, BAGGAGE) !== undefined)).toBe(false);
    // The lesson's search (model-inference's POST /v1/predict, the lab's control calls kept out) finds the orphan.
    const searched = await jaegerSearch({ service: 'model-inference', operation: 'POST /v1/predict', limit: '20' }, since);
    expect(searched.map((x) => x.traceID)).toEqual([orphan.traceID]);
    // Check yourself: the log lines carrying the entry, by service: only the gateway's.
    const byService = (value: string) => `_time:2m "${BAGGAGE}":"${value}" | stats by (service.name) count() lines`;
    const broken = await waitForLogs(byService('broken-propagation'));
    expect(broken.map((row) => row['service.name'])).toEqual(['gateway']);

    await resetAll();
    const fixed = await predict({ baggage: 'tracelab.lesson=fixed' });
    const whole = await waitForCompleteTrace(String(fixed.body.trace_id));
    expect(byKind(whole, 'model-inference', 'server')).toHaveLength(1);
    expect(orphanRoot(whole)).toBeUndefined();
    // Propagated again: the entry crosses the hop, on model-inference's server span and in its logs.
    expect(tag(byKind(whole, 'model-inference', 'server')[0]!, BAGGAGE)).toBe('fixed');
    const services = await waitForLogs(byService('fixed'), (rows) => rows.some((row) => row['service.name'] === 'model-inference'));
    expect(services.map((row) => row['service.name']).sort()).toEqual(['gateway', 'model-inference']);
  });
});
