// The detectors: each compares one kind of observation between the window and the baseline and
// proposes candidates with a confidence. Thresholds and the confidence scale are explained in
// docs/diagnosis.md; the engine (engine.ts) ranks the candidates and lets one explain another.
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

const log2 = Math.log2;
const values = (samples: readonly Sample[]) => samples.map((sample) => sample.value);
const round = (value: number) =>
  value >= 100 ? Math.round(value) : value >= 10 ? Math.round(value * 10) / 10 : Math.round(value * 100) / 100;
const percent = (share: number) => `${Math.round(share * 100)} %`;
/** The sample with the largest value: the trace that shows a change best. */
const largest = (samples: readonly Sample[]) =>
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

const describeShift = (shift: Shift) =>
  shift.tail && shift.windowP50 - shift.baselineP50 < shift.windowP90 - shift.baselineP90
    ? `p90 ${round(shift.windowP90)} ms (usually ${round(shift.baselineP90)} ms), ${shift.tail.count} above the usual p99 of ${round(shift.tail.threshold)} ms`
    : `median ${round(shift.windowP50)} ms (usually ${round(shift.baselineP50)} ms), p90 ${round(shift.windowP90)} ms`;

const confidenceOf = (strength: number) => 0.5 + 0.45 * strength;

/** ms per window trace the series grew by (its mean times how often it occurs per trace). */
function impactOf(window: Series, baseline: Series | undefined, p: Periods): number {
  const perTrace = (s: Series | undefined, o: Observations) =>
    s ? (mean(values(s.samples)) * s.samples.length) / Math.max(1, o.traces.length) : 0;
  return perTrace(window, p.window) - perTrace(baseline, p.baseline);
}

/** The usual p50 duration (ms) of the entry points of the traces in `samples`, in the baseline. */
function usualEntryMs(samples: readonly Sample[], p: Periods): number | undefined {
  const entries = new Map<string, number>();
  for (const { trace } of samples) {
    const entry = p.window.entryOf.get(trace)!;
    entries.set(entry, (entries.get(entry) ?? 0) + 1);
  }
  const entry = [...entries].sort((a, b) => b[1] - a[1])[0]?.[0];
  const durations = p.baseline.traces.filter((trace) => p.baseline.entryOf.get(trace) === entry).map((trace) => trace.durationNs / 1e6);
  return durations.length >= 5 ? quantile(durations, 0.5) : undefined;
}

/** latency: an operation's own time (self time, less waits before calls) grew, or a new operation is slow. */
export function latency(p: Periods): Candidate[] {
  const result: Candidate[] = [];
  for (const [key, window] of p.window.selfTime) {
    const baseline = p.baseline.selfTime.get(key);
    const w = values(window.samples);
    const spans = { service: window.service, operation: window.operation };
    if (baseline && baseline.samples.length >= 5) {
      const shift = shiftOf(w, values(baseline.samples), 5);
      if (!shift) continue;
      result.push({
        kind: 'latency',
        ...spans,
        confidence: confidenceOf(shift.strength),
        impact: impactOf(window, baseline, p),
        summary: `${window.service} › ${window.operation} spends longer in its own code: ${describeShift(shift)}.`,
        trace: largest(window.samples)?.trace,
        spans,
      });
    } else if (w.length >= 3) {
      // A new operation (a path the baseline never took) counts when one call outlasts the usual whole request.
      const p50 = quantile(w, 0.5);
      const usual = usualEntryMs(window.samples, p);
      if (usual === undefined || p50 < 50 || p50 < usual) continue;
      result.push({
        kind: 'latency',
        ...spans,
        confidence: confidenceOf(clamp01(log2(p50 / usual) / 2.5)),
        impact: impactOf(window, baseline, p),
        summary: `${window.service} › ${window.operation}, a path the baseline did not take, takes ${round(p50)} ms of its own time per call (median), more than the usual whole request (${round(usual)} ms).`,
        trace: largest(window.samples)?.trace,
        spans,
      });
    }
  }
  return result;
}

/** wait: a wait span (lock, pool, queue) or a span event that says so grew, or a parent waits longer before a call starts. */
export function wait(p: Periods): Candidate[] {
  const result: Candidate[] = [];
  for (const [key, window] of p.window.waitSpans) {
    const baseline = p.baseline.waitSpans.get(key);
    const w = values(window.samples);
    const spans = { service: window.service, operation: window.operation };
    let strength: number | undefined;
    let how = '';
    if (baseline && baseline.samples.length >= 5) {
      const shift = shiftOf(w, values(baseline.samples), 2);
      if (shift) {
        strength = shift.strength;
        how = describeShift(shift);
      }
    } else if (w.length >= 3 && quantile(w, 0.9) >= 5 && mean(w) >= 2) {
      strength = clamp01(log2(quantile(w, 0.9)) / 6);
      how = `a wait the baseline did not have: median ${round(quantile(w, 0.5))} ms, p90 ${round(quantile(w, 0.9))} ms`;
    }
    if (strength === undefined) continue;
    result.push({
      kind: 'wait',
      ...spans,
      confidence: confidenceOf(strength),
      impact: impactOf(window, baseline, p),
      summary: `${window.service} waits in ${window.operation}: ${how}.`,
      trace: largest(window.samples)?.trace,
      spans,
    });
  }
  for (const [key, window] of p.window.waitsBeforeCalls) {
    const baseline = p.baseline.waitsBeforeCalls.get(key);
    const w = values(window.samples);
    let strength: number | undefined;
    let how = '';
    if (baseline && baseline.samples.length >= 5) {
      const shift = shiftOf(w, values(baseline.samples), 10);
      if (shift) {
        strength = shift.strength;
        how = describeShift(shift);
      }
    } else if (w.length >= 3 && quantile(w, 0.5) >= 10) {
      strength = clamp01(log2(quantile(w, 0.5) / 5) / 4);
      how = `median ${round(quantile(w, 0.5))} ms`;
    }
    if (strength === undefined) continue;
    result.push({
      kind: 'wait',
      service: window.service,
      operation: window.operation,
      confidence: confidenceOf(strength),
      impact: impactOf(window, baseline, p),
      summary: `${window.service} › ${window.operation} waits before its call to ${window.peer} starts (a pool, queue or lock in the caller): ${how}.`,
      trace: largest(window.samples)?.trace,
      peer: window.peer,
      spans: { service: window.service, operation: window.operation },
    });
  }
  for (const [key, window] of p.window.waitEvents) {
    const baseline = p.baseline.waitEvents.get(key);
    const withEvent = window.samples.filter((s) => s.value === 1);
    const share = withEvent.length / window.samples.length;
    const usual = baseline ? mean(values(baseline.samples)) : 0;
    if (withEvent.length < 3 || share < 0.2 || share - usual < 0.15) continue;
    const example = (window as Series & { example?: string }).example;
    result.push({
      kind: 'wait',
      service: window.service,
      operation: window.operation,
      confidence: 0.5 + 0.4 * clamp01((share - usual) / 0.5),
      impact: 0,
      summary: `${percent(share)} of ${window.service} › ${window.operation} spans (usually ${percent(usual)}) record why they waited: "${example}".`,
      trace: withEvent[0]!.trace,
      spans: { service: window.service, operation: window.operation },
    });
  }
  return result;
}

/** fan-out and retries: calls per trace to one operation grew; repeats with no failure before them (N+1) or after failures (retries). */
export function repeats(p: Periods): Candidate[] {
  const result: Candidate[] = [];
  for (const [key, window] of p.window.calls) {
    const baseline = p.baseline.calls.get(key);
    const tracesW = Math.max(1, p.window.tracesWith.get(window.service) ?? 0);
    const tracesB = Math.max(1, p.baseline.tracesWith.get(window.service) ?? 0);
    const perTraceW = window.calls / tracesW;
    const perTraceB = (baseline?.calls ?? 0) / tracesB;
    const fanW = window.fanOutRepeats / tracesW;
    const fanB = (baseline?.fanOutRepeats ?? 0) / tracesB;
    const target = `${window.target} (${window.operation})`;
    if (perTraceW - perTraceB >= 1 && perTraceW >= 1.5 * perTraceB && fanW - fanB >= 0.5 && window.fanOutGroups >= 3) {
      const distinct = window.distinctArgumentGroups / window.fanOutGroups;
      const sequential = window.sequentialGroups / window.fanOutGroups;
      const how = [
        sequential >= 0.5 ? 'one after another' : 'in parallel',
        distinct >= 0.5 ? 'with different arguments' : undefined,
        'no failure before a repeat',
      ].filter(Boolean);
      result.push({
        kind: 'fan-out',
        service: window.service,
        operation: window.operation,
        confidence: confidenceOf(clamp01((perTraceW - perTraceB) / 3)),
        impact: perTraceW - perTraceB,
        summary: `${window.service} calls ${target} ${round(perTraceW)} times per trace (usually ${round(perTraceB)}), ${how.join(', ')}: an N+1 pattern.`,
        trace: window.largest?.trace,
        peer: window.target,
        spans: { service: window.service, operation: window.operation, kind: 'SPAN_KIND_CLIENT' },
      });
    }
    const firstW = window.calls - window.retries.length;
    const retryRateW = window.retries.length / Math.max(1, firstW);
    const retryRateB = (baseline?.retries.length ?? 0) / Math.max(1, (baseline?.calls ?? 0) - (baseline?.retries.length ?? 0));
    if (window.retries.length >= 3 && retryRateW - retryRateB >= 0.05) {
      result.push({
        kind: 'retries',
        service: window.service,
        operation: window.operation,
        confidence: confidenceOf(clamp01((retryRateW - retryRateB - 0.05) / 2)),
        impact: retryRateW - retryRateB,
        summary: `${window.service} repeats failed calls to ${target}: ${round(retryRateW)} retries per first call (usually ${round(retryRateB)}), multiplying the load on ${window.target}.`,
        trace: largest(window.retries)?.trace,
        peer: window.target,
        spans: { service: window.service, operation: window.operation, kind: 'SPAN_KIND_CLIENT' },
      });
    }
  }
  return result;
}

/** errors: the operations where errors start (failed spans with nothing failing beneath them) fail more often. */
export function errors(p: Periods): Candidate[] {
  const result: Candidate[] = [];
  for (const [key, window] of p.window.errors) {
    const baseline = p.baseline.errors.get(key);
    const k = window.origins.length;
    if (k < 3) continue;
    const rateW = k / window.spans;
    const rateB = baseline ? baseline.origins.length / baseline.spans : 0;
    const usualRate = baseline && baseline.spans > 0 ? (baseline.origins.length + 1) / (baseline.spans + 2) : 0.02;
    if (rateW - rateB < 0.05 || poissonTail(k, window.spans * usualRate) >= 1e-3) continue;
    // Errors the callers absorb (a fallback answers) cost less than errors that reach the user.
    const reached = window.reachedEntry / k >= 0.5;
    result.push({
      kind: 'errors',
      service: window.service,
      operation: window.operation,
      confidence: Math.min(reached ? 0.93 : 0.85, 0.55 + 0.4 * clamp01((rateW - rateB) / 0.6)),
      impact: k / Math.max(1, p.window.traces.length),
      summary: `Errors start in ${window.service} › ${window.operation}: ${percent(rateW)} of its spans fail with nothing failing beneath them (usually ${percent(rateB)})${window.message ? `: "${window.message}"` : ''}${reached ? '; they reach the entry point' : '; callers absorb them'}.`,
      trace: window.origins[0]!.trace,
      spans: { service: window.service, operation: window.operation },
    });
  }
  return result;
}

/** timeouts: calls end on a budget or a cancel (the callee's work runs on), more often than usual. */
export function timeouts(p: Periods): Candidate[] {
  const result: Candidate[] = [];
  for (const [key, window] of p.window.timeouts) {
    const baseline = p.baseline.timeouts.get(key);
    const hits = window.samples.filter((s) => s.value === 1);
    if (hits.length < 3) continue;
    const rateW = hits.length / window.samples.length;
    const rateB = baseline ? mean(values(baseline.samples)) : 0;
    const usualRate = baseline ? (baseline.samples.filter((s) => s.value === 1).length + 1) / (baseline.samples.length + 2) : 0.02;
    if (rateW - rateB < 0.05 || poissonTail(hits.length, window.samples.length * usualRate) >= 1e-3) continue;
    const fallbacks = window.fallbacks as Map<string, number>;
    const fellBack = [...fallbacks].sort((a, b) => b[1] - a[1])[0];
    result.push({
      kind: 'timeouts',
      service: window.service,
      operation: window.operation,
      confidence: 0.5 + 0.35 * clamp01((rateW - rateB) / 0.5),
      impact: rateW - rateB,
      summary: `${percent(rateW)} of ${window.service}'s calls to ${window.peer} (${window.operation}) stop on a budget or cancel (usually ${percent(rateB)})${fellBack ? `, then fall back (reason ${fellBack[0]})` : ''}.`,
      trace: hits[0]!.trace,
      peer: window.peer,
      spans: { service: window.service, operation: window.operation, kind: 'SPAN_KIND_CLIENT' },
    });
  }
  return result;
}

/** hop-gap: from a call's start to its server span's start (wire, queue before the handler) grew. */
export function hopGaps(p: Periods): Candidate[] {
  const result: Candidate[] = [];
  for (const [key, window] of p.window.hopGaps) {
    const baseline = p.baseline.hopGaps.get(key);
    if (!baseline) continue;
    // Hop gaps are a few ms that a busy host stretches by tens: only a larger shift counts.
    const shift = shiftOf(values(window.samples), values(baseline.samples), 20);
    if (!shift) continue;
    result.push({
      kind: 'hop-gap',
      service: window.service,
      operation: window.operation,
      confidence: Math.min(0.65, confidenceOf(shift.strength)),
      impact: impactOf(window, baseline, p),
      summary: `Calls from ${window.peer} wait longer before ${window.service} › ${window.operation} starts (on the wire or queued before the handler): ${describeShift(shift)}.`,
      trace: largest(window.samples)?.trace,
      peer: window.peer,
      spans: { service: window.service, operation: window.operation },
    });
  }
  return result;
}

/** dependency: calls to an uninstrumented database, cache or remote service (no server span below) got slower. */
export function dependencies(p: Periods): Candidate[] {
  const result: Candidate[] = [];
  for (const [key, window] of p.window.dependencies) {
    const baseline = p.baseline.dependencies.get(key);
    if (!baseline) continue;
    const shift = shiftOf(values(window.samples), values(baseline.samples), 5);
    if (!shift) continue;
    result.push({
      kind: 'dependency',
      service: window.peer!,
      operation: window.operation,
      confidence: confidenceOf(shift.strength),
      impact: impactOf(window, baseline, p),
      summary: `Calls from ${window.service} to the ${window.what} ${window.peer} (${window.operation}, uninstrumented: no server span below) got slower: ${describeShift(shift)}.`,
      trace: largest(window.samples)?.trace,
      peer: window.peer,
      spans: { service: window.service, operation: window.operation, kind: 'SPAN_KIND_CLIENT' },
    });
  }
  return result;
}

/** propagation: spans that always had a parent start traces of their own (new roots, orphans): the trace splits. */
export function propagation(p: Periods): Candidate[] {
  const result: Candidate[] = [];
  for (const [key, window] of p.window.roots) {
    const baseline = p.baseline.roots.get(key);
    if (!baseline || window.asRoot.length < 3) continue;
    const childB = [...baseline.parents.values()].reduce((sum, n) => sum + n, 0);
    if (childB < 3 || baseline.asRoot.length / (baseline.asRoot.length + childB) >= 0.05) continue;
    const share = window.asRoot.length / Math.max(1, p.window.traces.length);
    // Traces still arriving at the window's end look split for a few seconds: a real split is common.
    if (share < 0.1) continue;
    // A call or internal span that starts a trace lost its own parent in its service; a server span
    // without a parent lost it on the way from its usual caller.
    const usualCaller = [...baseline.parents].sort((a, b) => b[1] - a[1])[0]![0];
    const culprit = window.kind === 'server' || window.kind === 'consumer' ? usualCaller : window.service;
    result.push({
      kind: 'propagation',
      service: culprit,
      operation: window.operation,
      confidence: confidenceOf(clamp01((share - 0.1) / 0.3)),
      impact: share,
      summary: `Traces split: ${window.asRoot.length} traces (${percent(share)}) start at ${window.service} › ${window.operation} (${window.kind}), which always had a parent from ${usualCaller} in the baseline: ${culprit} drops the trace context.`,
      trace: window.asRoot[0]!.trace,
      spans: { service: window.service, operation: window.operation },
    });
  }
  return result;
}

/** deploy: a new service.version or version-like attribute value serves a share of the window. */
export function deploys(p: Periods): Candidate[] {
  const result: Candidate[] = [];
  for (const [key, window] of p.window.versions) {
    const baseline = p.baseline.versions.get(key);
    const known = baseline ? [...baseline.values.values()].reduce((sum, s) => sum + s.length, 0) : 0;
    if (!baseline || known < 5) continue;
    const total = [...window.values.values()].reduce((sum, s) => sum + s.length, 0);
    for (const [value, samples] of window.values) {
      if (baseline.values.has(value) || samples.length < 3) continue;
      const share = samples.length / total;
      if (share < 0.05) continue;
      result.push({
        kind: 'deploy',
        service: window.service,
        confidence: confidenceOf(clamp01(share / 0.4)),
        impact: share,
        summary: `${window.service} runs a new ${window.attribute} ${value} on ${percent(share)} of its spans; the baseline only knew ${[...baseline.values.keys()].join(', ')}.`,
        trace: samples[0]!.trace,
      });
    }
  }
  return result;
}

/** The series of a metric result by service (its `job`, else `service_name` or `service` label). */
function byService(samples: MetricResult['window']): Map<string, number> {
  const result = new Map<string, number>();
  for (const sample of samples) {
    const service = sample.labels.job ?? sample.labels.service_name ?? sample.labels.service;
    if (service && Number.isFinite(sample.value)) result.set(service, sample.value);
  }
  return result;
}

const KIB = 1024;
const MIB = 1024 * KIB;

/** cpu and memory: runtime metrics of each service, window against baseline. */
export function runtime(p: Periods): Candidate[] {
  const result: Candidate[] = [];
  const metric = (id: string) => p.metrics.find((m) => m.id === id);
  const delay = metric('eventloop_delay_p99');
  const utilization = metric('eventloop_utilization');
  const ratesW = byService(metric('server_rate')?.window ?? []);
  const ratesB = byService(metric('server_rate')?.baseline ?? []);
  for (const [service, uW] of byService(utilization?.window ?? [])) {
    const uB = byService(utilization?.baseline ?? []).get(service);
    const dW = byService(delay?.window ?? []).get(service);
    const dB = byService(delay?.baseline ?? []).get(service);
    if (uB === undefined || uW < 0.3) continue;
    // More requests alone make a loop busier: what saturation by the code shows is more busy time per request.
    const rW = ratesW.get(service);
    const rB = ratesB.get(service);
    let strength: number;
    let per = '';
    if (rW && rB && rW > 0.5 && rB > 0.5) {
      const busyW = (uW / rW) * 1000;
      const busyB = (uB / rB) * 1000;
      if (busyW < 2 * busyB || busyW - busyB < 2 || uW - uB < 0.2) continue;
      strength = clamp01((log2(busyW / busyB) - 1) / 2) * clamp01((uW - 0.3) / 0.4);
      per = `, ${round(busyW)} ms of event-loop time per request (usually ${round(busyB)} ms)`;
    } else {
      if (uW < 0.7 || uW - uB < 0.3 || dW === undefined || dB === undefined || dW < 2 * dB) continue;
      strength = clamp01((uW - 0.7) / 0.25);
    }
    const lag =
      dW !== undefined && dB !== undefined ? `, event-loop delay p99 ${round(dW * 1000)} ms (usually ${round(dB * 1000)} ms)` : '';
    result.push({
      kind: 'cpu',
      service,
      confidence: confidenceOf(strength),
      impact: uW - uB,
      summary: `${service}'s CPU is saturated: event-loop utilization ${percent(uW)} (usually ${percent(uB)})${per}${lag}: synchronous work stalls every request of the process.`,
      metricIds: ['eventloop_utilization', 'eventloop_delay_p99'],
    });
  }
  const heap = metric('heap_growth');
  const rates = byService(metric('server_rate')?.window ?? []);
  for (const [service, slope] of byService(heap?.window ?? [])) {
    const usual = byService(heap?.baseline ?? []).get(service) ?? 0;
    // Garbage between collections makes a busy heap's slope swing over a short range; what a leak
    // keeps grows with each request. Per request when the request rate is known, else a high bar.
    const rate = rates.get(service);
    const perRequest = rate && rate > 0.5 ? slope / rate : undefined;
    if (slope - usual < 0.5 * slope || slope < 512 * KIB) continue;
    const strength =
      perRequest !== undefined
        ? perRequest >= 40 * KIB
          ? clamp01(log2(perRequest / (40 * KIB)) / 2.5)
          : -1
        : slope >= 2 * MIB
          ? clamp01(log2(slope / (2 * MIB)) / 2)
          : -1;
    if (strength < 0) continue;
    const per = perRequest !== undefined ? `, ${round(perRequest / KIB)} KiB per request` : '';
    result.push({
      kind: 'memory',
      service,
      confidence: confidenceOf(strength),
      impact: slope / MIB,
      summary: `${service}'s heap keeps growing: ${round(slope / MIB)} MiB/s over the window${per} (usually ${round(usual / MIB)} MiB/s): memory is kept across requests (a leak).`,
      metricIds: ['heap_growth'],
    });
  }
  return result;
}

export const DETECTORS = [latency, wait, repeats, errors, timeouts, hopGaps, dependencies, propagation, deploys, runtime];
