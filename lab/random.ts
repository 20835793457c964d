// The random exercise, checked: re-seed /v1/random, send its documented traffic through the
// gateway, then estimate both distributions from Prometheus's histograms over exactly that
// traffic (the bucket counts at its end minus those at its start, with PromQL's `@`) and compare
// each estimate with the truth, the distributions the model-inference knobs describe.
import { QueryRefusedError } from '../clients/errors';
import { type PromSample, prometheusClient } from '../clients/prometheus';
import { eventually } from '../clients/wait';
import { scenarioOn } from './actions';
import { getKnobs, type LabContext, LabError } from './context';

/** The documented traffic: this many /random requests after re-seeding (docs/lessons/random.md). */
export const RANDOM_EXERCISE_REQUESTS = 8000;
/** How far an estimate may be from the truth. */
export const RANDOM_TOLERANCE = 0.05;
const CONCURRENCY = 32;
/** z-score of the 99th percentile of the standard normal. */
const Z99 = 2.326347874;
/** The width of the value histogram's buckets (services/model-inference/src/metrics.ts). */
const VALUE_BUCKET_WIDTH = 3;

export interface Estimate {
  variable: 'value' | 'delay_seconds';
  quantity: 'mean' | 'stddev' | 'median' | 'p99';
  estimate: number;
  truth: number;
  /** |estimate / truth − 1| */
  error: number;
  /** How the estimate is computed from the histogram. */
  how: string;
}

export interface RandomCheck {
  ok: boolean;
  requests: number;
  estimates: Estimate[];
  text: string;
}

async function query(ctx: LabContext, promql: string): Promise<PromSample[]> {
  try {
    return await prometheusClient(ctx.urls.prometheus).query(promql);
  } catch (error) {
    if (error instanceof QueryRefusedError) throw new LabError(error.message);
    throw error;
  }
}

async function scalar(ctx: LabContext, promql: string): Promise<number | undefined> {
  const [sample] = await query(ctx, promql);
  return sample ? Number(sample.value[1]) : undefined;
}

/** `metric` summed (by the given labels) over the traffic between two sample times. */
const during = (metric: string, start: number, end: number, by = '') =>
  `(sum ${by} (${metric} @ ${end}) - (sum ${by} (${metric} @ ${start}) or 0 * sum ${by} (${metric} @ ${end})))`;

/** Time of the newest sample of the exercise's counter in Prometheus, if any. */
const newestSample = (ctx: LabContext) => scalar(ctx, 'max(timestamp(tracelab_random_value_count))');

async function sendTraffic(ctx: LabContext, requests: number): Promise<void> {
  let next = 0;
  const failures: string[] = [];
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < requests) {
        next++;
        const response = await fetch(`${ctx.urls.gateway}/random`, { signal: AbortSignal.timeout(15_000) });
        await response.body?.cancel();
        if (!response.ok) failures.push(String(response.status));
      }
    }),
  );
  if (failures.length)
    throw new LabError(`${failures.length} of ${requests} /random requests failed (HTTP ${[...new Set(failures)].join(', ')})`);
}

/** Standard deviation from bucket counts: bucket midpoints, with Sheppard's correction for the width. */
function stddevFromBuckets(cumulative: { le: number; count: number }[], mean: number): number {
  let squares = 0;
  let total = 0;
  let previous = { le: cumulative[0]!.le, count: 0 };
  for (const bucket of cumulative) {
    const n = bucket.count - previous.count;
    // The first and the +Inf bucket have one open side: their values are counted at their bound.
    const mid =
      bucket.le === Number.POSITIVE_INFINITY ? previous.le : bucket.le === previous.le ? bucket.le : (bucket.le + previous.le) / 2;
    squares += n * (mid - mean) ** 2;
    total += n;
    previous = bucket;
  }
  return Math.sqrt(squares / total - VALUE_BUCKET_WIDTH ** 2 / 12);
}

/**
 * Re-seeds the exercise (the `random` scenario), sends `requests` /random calls through the
 * gateway, waits until Prometheus has counted them, and compares the estimates with the truth.
 */
export async function checkRandom(ctx: LabContext, { requests = RANDOM_EXERCISE_REQUESTS } = {}): Promise<RandomCheck> {
  if (!Number.isInteger(requests) || requests < 100) throw new LabError('--requests must be a whole number of at least 100');
  const knobs = (await getKnobs('model-inference', ctx)) as Record<string, number>;
  await scenarioOn('random', undefined, ctx);

  // Start from a sample taken after the last earlier request: wait for the next one to arrive.
  const asked = Date.now() / 1000;
  const before = await newestSample(ctx);
  const start =
    before === undefined
      ? asked
      : await eventually(async () => ((await newestSample(ctx))! > asked ? newestSample(ctx) : undefined), {
          timeoutMs: 60_000,
          intervalMs: 500,
          what: 'a fresh sample of tracelab_random_value_count in Prometheus',
        });
  await sendTraffic(ctx, requests);
  const end = await eventually(
    async () => {
      const newest = await newestSample(ctx);
      if (newest === undefined) return undefined;
      const counted = await scalar(ctx, during('tracelab_random_value_count', start!, newest));
      return counted !== undefined && counted >= requests ? newest : undefined;
    },
    { timeoutMs: 90_000, intervalMs: 1000, what: `Prometheus to count all ${requests} /random requests` },
  );

  const value = (q: string) => scalar(ctx, q);
  const count = (await value(during('tracelab_random_value_count', start!, end)))!;
  const mean = (await value(during('tracelab_random_value_sum', start!, end)))! / count;
  const delayMean = (await value(during('tracelab_random_delay_sum', start!, end)))! / count;
  const quantile = async (metric: string, q: number) =>
    (await value(`histogram_quantile(${q}, ${during(metric, start!, end, 'by (le)')})`))!;
  const buckets = (await query(ctx, during('tracelab_random_value_bucket', start!, end, 'by (le)')))
    .map((s) => ({ le: s.metric.le === '+Inf' ? Number.POSITIVE_INFINITY : Number(s.metric.le), count: Number(s.value[1]) }))
    .sort((a, b) => a.le - b.le);
  const delayMedian = await quantile('tracelab_random_delay_bucket', 0.5);
  // The delay is log-normal: σ² = 2·ln(mean / median), which gives its standard deviation.
  const sigma2 = 2 * Math.log(delayMean / delayMedian);

  const delaySigma = Math.log(knobs.random_delay_p99_ms! / knobs.random_delay_median_ms!) / Z99;
  const delayTruthMean = (knobs.random_delay_median_ms! / 1000) * Math.exp(delaySigma ** 2 / 2);
  const rows: Omit<Estimate, 'error'>[] = [
    { variable: 'value', quantity: 'mean', estimate: mean, truth: knobs.random_value_mean!, how: 'sum / count' },
    {
      variable: 'value',
      quantity: 'stddev',
      estimate: stddevFromBuckets(buckets, mean),
      truth: knobs.random_value_stddev!,
      how: 'bucket midpoints, Sheppard-corrected',
    },
    {
      variable: 'value',
      quantity: 'median',
      estimate: await quantile('tracelab_random_value_bucket', 0.5),
      truth: knobs.random_value_mean!,
      how: 'histogram_quantile(0.5)',
    },
    {
      variable: 'value',
      quantity: 'p99',
      estimate: await quantile('tracelab_random_value_bucket', 0.99),
      truth: knobs.random_value_mean! + Z99 * knobs.random_value_stddev!,
      how: 'histogram_quantile(0.99)',
    },
    { variable: 'delay_seconds', quantity: 'mean', estimate: delayMean, truth: delayTruthMean, how: 'sum / count' },
    {
      variable: 'delay_seconds',
      quantity: 'stddev',
      estimate: delayMean * Math.sqrt(Math.exp(sigma2) - 1),
      truth: delayTruthMean * Math.sqrt(Math.exp(delaySigma ** 2) - 1),
      how: 'log-normal fit: σ² = 2·ln(mean / median)',
    },
    {
      variable: 'delay_seconds',
      quantity: 'median',
      estimate: delayMedian,
      truth: knobs.random_delay_median_ms! / 1000,
      how: 'histogram_quantile(0.5)',
    },
    {
      variable: 'delay_seconds',
      quantity: 'p99',
      estimate: await quantile('tracelab_random_delay_bucket', 0.99),
      truth: knobs.random_delay_p99_ms! / 1000,
      how: 'histogram_quantile(0.99)',
    },
  ];
  const estimates = rows.map((row) => ({ ...row, error: Math.abs(row.estimate / row.truth - 1) }));
  const ok = estimates.every((e) => e.error <= RANDOM_TOLERANCE);
  const lines = estimates.map(
    (e) =>
      `${`${e.variable} ${e.quantity}`.padEnd(21)} estimate ${e.estimate.toPrecision(4).padStart(7)}  truth ${e.truth.toPrecision(4).padStart(7)}  ` +
      `error ${(e.error * 100).toFixed(1).padStart(4)} %  ${e.error <= RANDOM_TOLERANCE ? 'ok  ' : 'FAIL'}  (${e.how})`,
  );
  const text = [
    `${count} /random requests since the re-seed, estimated from Prometheus histograms:`,
    ...lines,
    ok
      ? `every estimate is within ${RANDOM_TOLERANCE * 100} % of the truth`
      : `some estimates are more than ${RANDOM_TOLERANCE * 100} % off`,
  ].join('\n');
  return { ok, requests: count, estimates, text };
}
