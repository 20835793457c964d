// What the simulated model does besides predicting: how slow it is, how often it fails, and
// the distributions behind /v1/random. The knobs are declared in the shared knob table; these
// functions turn their current values into draws.
import type { KnobValues } from '../../shared/knobs';
import type { KNOBS } from './config';
import { logNormalFromMedianP99, normal, type Random } from './rng';

export type Behaviour = KnobValues<typeof KNOBS>;

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
