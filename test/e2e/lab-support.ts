// Helpers for the fault-lab tests: the lab context for the e2e stack, bounded traffic, and
// metric deltas over exactly one phase of a test (the counters at its end minus those at its
// start, read with PromQL's `@`), so no rate window mixes one phase with the next.
import { inject } from 'vitest';
import { analyzeTrace, loadTrace, type Trace, type TraceReport } from '../../analysis';
import { resetLab } from '../../lab/actions';
import { DEFAULT_URLS, type LabContext, putKnobs } from '../../lab/context';
import { concurrently, eventually, FEATURES, predict, promQuery, URLS, untilModelAnswers, waitForCompleteTrace } from './support';

export const lab = (): LabContext => ({ controlToken: inject('controlToken'), urls: DEFAULT_URLS });

/** Resets every knob and fails clearly when a service has no control token (the runner must pass CONTROL_TOKEN to all). */
export async function resetAll(): Promise<void> {
  await resetLab(lab());
}

export interface Answer {
  status: number;
  body: Record<string, any>;
  ms: number;
  traceId: string;
}

/** A seeded stream of varied customers (mulberry32), the same for every run. */
export function customers(seed: number): () => typeof FEATURES | Record<string, unknown> {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const plans = ['basic', 'pro', 'enterprise'];
  return () => ({
    tenure_months: Math.floor(next() * 72),
    monthly_spend: Math.round(next() * 300),
    support_tickets: Math.floor(next() * 6),
    plan: plans[Math.floor(next() * 3)]!,
  });
}

/** Sends `count` predictions, `concurrency` at a time; answers in completion order. */
export function drive(count: number, concurrency: number, features: () => unknown = () => FEATURES): Promise<Answer[]> {
  return concurrently(count, concurrency, async () => {
    const started = performance.now();
    const { status, body } = await predict({}, { customer_id: 'lab-customer', features: features() });
    return { status, body, ms: performance.now() - started, traceId: String(body.trace_id ?? '') };
  });
}

/** Time (s) of the newest sample of a metric in Prometheus, once one newer than now has arrived. */
export async function freshSample(metric: string): Promise<number> {
  const after = Date.now() / 1000;
  return eventually(
    async () => {
      const [sample] = await promQuery(`max(timestamp(${metric}))`);
      const time = sample ? Number(sample.value[1]) : undefined;
      return time !== undefined && time > after ? time : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 500, what: `a sample of ${metric} newer than ${new Date(after * 1000).toISOString()}` },
  );
}

/**
 * Runs `work` between two sample times such that every named series has a sample taken before
 * the work started and one after it ended: deltas `@ end − @ start` cover exactly the work.
 */
export async function overPhase<T>(series: string[], work: () => Promise<T>): Promise<{ start: number; end: number; result: T }> {
  const start = Math.max(...(await Promise.all(series.map(freshSample))));
  const result = await work();
  const end = Math.max(...(await Promise.all(series.map(freshSample))));
  return { start, end, result };
}

/** A counter-like expression summed (by labels) over the samples between two times. */
export const during = (expr: string, start: number, end: number, by = '') =>
  `(sum ${by} (${expr} @ ${end}) - (sum ${by} (${expr} @ ${start}) or 0 * sum ${by} (${expr} @ ${end})))`;

/** One number from PromQL (0 when the query has no result). */
export async function promNumber(query: string): Promise<number> {
  const [sample] = await promQuery(query);
  return sample ? Number(sample.value[1]) : 0;
}

/** Per-phase histogram statistics of http.server.request.duration (seconds) of one service and route. */
export async function latencyDuring(job: string, route: string, start: number, end: number) {
  const series = `{job="${job}", http_route="${route}"}`;
  const buckets = during(`http_server_request_duration_bucket${series}`, start, end, 'by (le)');
  const count = await promNumber(during(`http_server_request_duration_count${series}`, start, end));
  return {
    count,
    mean: (await promNumber(during(`http_server_request_duration_sum${series}`, start, end))) / count,
    median: await promNumber(`histogram_quantile(0.5, ${buckets})`),
    p99: await promNumber(`histogram_quantile(0.99, ${buckets})`),
  };
}

/** Alert state in Prometheus ('firing', 'pending' or undefined). */
export async function alertState(alertname: string): Promise<string | undefined> {
  const body = (await (await fetch(`${URLS.prometheus}/api/v1/alerts`)).json()) as {
    data: { alerts: { labels: Record<string, string>; state: string }[] };
  };
  return body.data.alerts.find((a) => a.labels.alertname === alertname)?.state;
}

/** A whole trace, once Jaeger has all of it, read and analysed by the trace analysis library (npm run why). */
export async function whyTrace(traceId: string): Promise<{ trace: Trace; report: TraceReport }> {
  await waitForCompleteTrace(traceId);
  const trace = await loadTrace(traceId, { jaegerUrl: URLS.jaeger });
  return { trace, report: analyzeTrace(trace) };
}

/** Seed of the model's draws after a reset: its first 80 latencies are 175 ms at most. */
const AFTER_RESET_SEED = 11;

/**
 * Waits until the gateway answers from the model again (after a reset the circuit may still be
 * open), then seeds the model's draws: the default latency has a tail past the gateway's 250 ms
 * budget (about one draw in 400), so an unseeded check of "all from the model" would fail now and then.
 */
export async function modelAnswersAgain(): Promise<void> {
  await untilModelAnswers();
  await putKnobs('model-inference', { seed: AFTER_RESET_SEED }, lab());
}
