// What the simulated model does besides predicting: how slow it is, how often it fails, and
// the distributions behind /v1/random. Set from the environment at start, changed at runtime
// through the control endpoint (the fault-injection lessons turn these knobs).
import { z } from 'zod';
import { logNormalFromMedianP99, normal, type Random } from './rng';

export const behaviourSchema = z.strictObject({
  latency_median_ms: z.number().min(0).max(60_000),
  latency_p99_ms: z.number().min(0).max(60_000),
  error_rate: z.number().min(0).max(1),
  random_value_mean: z.number().min(-1e9).max(1e9),
  random_value_stddev: z.number().min(0).max(1e9),
  random_delay_median_ms: z.number().min(0).max(60_000),
  random_delay_p99_ms: z.number().min(0).max(60_000),
});

export type Behaviour = z.infer<typeof behaviourSchema>;

/** A partial update; p99 must not fall below the median once merged. */
export const behaviourUpdateSchema = behaviourSchema.partial();

export function mergeBehaviour(current: Behaviour, update: Partial<Behaviour>): Behaviour | string {
  const next = { ...current, ...update };
  if (next.latency_p99_ms < next.latency_median_ms) return 'latency_p99_ms must be >= latency_median_ms';
  if (next.random_delay_p99_ms < next.random_delay_median_ms) return 'random_delay_p99_ms must be >= random_delay_median_ms';
  return next;
}

export function sampleLatencyMs(b: Behaviour, random: Random): number {
  return b.latency_median_ms === 0 ? 0 : logNormalFromMedianP99(random, b.latency_median_ms, b.latency_p99_ms);
}

export function shouldFail(b: Behaviour, random: Random): boolean {
  return random.next() < b.error_rate;
}

/** /v1/random: a value from Normal(mean, stddev) after a log-normal delay. */
export function sampleRandom(b: Behaviour, random: Random): { value: number; delayMs: number } {
  const delayMs = b.random_delay_median_ms === 0 ? 0 : logNormalFromMedianP99(random, b.random_delay_median_ms, b.random_delay_p99_ms);
  return { value: normal(random, b.random_value_mean, b.random_value_stddev), delayMs };
}
