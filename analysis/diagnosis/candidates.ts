// What every detector shares: the candidate a detector proposes, the test of whether a window's
// values moved up from the baseline's beyond noise, and the confidence and impact scales
// (docs/diagnosis.md explains them).
import type { Trace } from '../model';
import type { Observations, Sample, Series } from './observe';
import { clamp01, mean, poissonTail, quantile, rankShiftZ } from './stats';
import type { HypothesisKind, MetricResult } from './types';

/** A hypothesis before ranking: what the detector saw and where. */
export interface Candidate {
  kind: HypothesisKind;
  service: string;
  operation?: string;
  confidence: number;
  /** ms per trace the change costs (or an equivalent weight): ranks candidates of equal confidence. */
  impact: number;
  summary: string;
  /** A window trace that shows it. */
  trace?: Trace;
  /** Services at the other end (a call's callee), for explanations between candidates. */
  peer?: string;
  /** Metric ids whose PromQL is evidence. */
  metricIds?: string[];
  /** Span metrics selectors the evidence queries are built from. */
  spans?: { service: string; operation: string; kind?: string };
}

export interface Periods {
  window: Observations;
  baseline: Observations;
  metrics: MetricResult[];
}

export const log2 = Math.log2;
export const values = (samples: readonly Sample[]) => samples.map((sample) => sample.value);
export const round = (value: number) =>
  value >= 100 ? Math.round(value) : value >= 10 ? Math.round(value * 10) / 10 : Math.round(value * 100) / 100;
export const percent = (share: number) => `${Math.round(share * 100)} %`;
/** The sample with the largest value: the trace that shows a change best. */
export const largest = (samples: readonly Sample[]) =>
  samples.reduce<Sample | undefined>((best, s) => (!best || s.value > best.value ? s : best), undefined);

/** How far a window's values moved up from the baseline's, if they did beyond noise. */
export interface Shift {
  /** 0..1: 0 just significant, 1 large. */
  strength: number;
  windowP50: number;
  baselineP50: number;
  windowP90: number;
  baselineP90: number;
  /** The tail moved: values above the baseline's p99 came far more often than the baseline had them. */
  tail?: { threshold: number; count: number; expected: number };
}

/**
 * A shift up of `window` against `baseline`: the body (rank test z ≥ 3, median up ≥ 30 % and by at
 * least `minDelta`) or the tail (values above the baseline's p99 at least 3 times and far more
 * often than the baseline's own rate, Poisson p < 0.001).
 */
export function shiftOf(window: readonly number[], baseline: readonly number[], minDelta: number): Shift | undefined {
  if (window.length < 3 || baseline.length < 5) return undefined;
  const windowP50 = quantile(window, 0.5);
  const baselineP50 = quantile(baseline, 0.5);
  const ratio = (windowP50 + 1) / (baselineP50 + 1);
  // A large shift needs less evidence: three values at twice the usual median are rare by chance.
  const z = rankShiftZ(window, baseline);
  const body = windowP50 - baselineP50 >= minDelta && ((z >= 3 && ratio >= 1.3) || (z >= 2.5 && ratio >= 2));
  const bodyStrength = body ? clamp01((log2(ratio) - log2(1.3)) / 1.6) : 0;

  const threshold = baseline.length >= 50 ? quantile(baseline, 0.99) : Math.max(...baseline);
  const above = window.filter((value) => value > threshold);
  const expected = (window.length * (baseline.filter((value) => value > threshold).length + 1)) / (baseline.length + 1);
  const p = poissonTail(above.length, expected);
  const tail = above.length >= 3 && p < 1e-3 && quantile(above, 0.5) >= threshold * 1.2 + minDelta;
  const tailStrength = tail ? clamp01((log2(above.length / expected) - 1) / 2.5) * (p < 1e-5 ? 1 : 0.7) : 0;
  if (!body && !tail) return undefined;
  return {
    strength: Math.max(bodyStrength, tailStrength),
    windowP50,
    baselineP50,
    windowP90: quantile(window, 0.9),
    baselineP90: quantile(baseline, 0.9),
    ...(tail ? { tail: { threshold, count: above.length, expected } } : {}),
  };
}

export const describeShift = (shift: Shift) =>
  shift.tail && shift.windowP50 - shift.baselineP50 < shift.windowP90 - shift.baselineP90
    ? `p90 ${round(shift.windowP90)} ms (usually ${round(shift.baselineP90)} ms), ${shift.tail.count} above the usual p99 of ${round(shift.tail.threshold)} ms`
    : `median ${round(shift.windowP50)} ms (usually ${round(shift.baselineP50)} ms), p90 ${round(shift.windowP90)} ms`;

export const confidenceOf = (strength: number) => 0.5 + 0.45 * strength;

/** ms per window trace the series grew by (its mean times how often it occurs per trace). */
export function impactOf(window: Series, baseline: Series | undefined, p: Periods): number {
  const perTrace = (s: Series | undefined, o: Observations) =>
    s ? (mean(values(s.samples)) * s.samples.length) / Math.max(1, o.traces.length) : 0;
  return perTrace(window, p.window) - perTrace(baseline, p.baseline);
}

/** The usual p50 duration (ms) of the entry points of the traces in `samples`, in the baseline. */
export function usualEntryMs(samples: readonly Sample[], p: Periods): number | undefined {
  const entries = new Map<string, number>();
  for (const { trace } of samples) {
    const entry = p.window.entryOf.get(trace)!;
    entries.set(entry, (entries.get(entry) ?? 0) + 1);
  }
  const entry = [...entries].sort((a, b) => b[1] - a[1])[0]?.[0];
  const durations = p.baseline.traces.filter((trace) => p.baseline.entryOf.get(trace) === entry).map((trace) => trace.durationNs / 1e6);
  return durations.length >= 5 ? quantile(durations, 0.5) : undefined;
}
