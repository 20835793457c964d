// The detectors on traces: each compares one kind of observation between the window and the
// baseline and proposes candidates with a confidence (runtime metrics: detect-runtime.ts).
// Thresholds and the confidence scale are explained in docs/diagnosis.md; the engine (engine.ts)
// ranks the candidates and lets one explain another.
import {
  type Candidate,
  confidenceOf,
  describeShift,
  impactOf,
  largest,
  log2,
  type Periods,
  percent,
  round,
  shiftOf,
  usualEntryMs,
  values,
} from './candidates';
import { runtime } from './detect-runtime';
import type { Series } from './observe';
import { clamp01, mean, poissonTail, quantile } from './stats';

export { type Candidate, type Periods, type Shift, shiftOf } from './candidates';

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
      summary: `${window.service} waits in ${window.operation}${window.peer ? ` before calling ${window.peer}` : ''}: ${how}.`,
      trace: largest(window.samples)?.trace,
      ...(window.peer ? { peer: window.peer } : {}),
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
      // Retries are a cause when they multiply the calls each request makes; a bounded policy
      // (a retry budget, a breaker) retries a failing callee without that, and the errors speak first.
      const amplifies = perTraceB > 0 ? clamp01((perTraceW / perTraceB - 1) / 0.5) : 1;
      result.push({
        kind: 'retries',
        service: window.service,
        operation: window.operation,
        confidence: confidenceOf(clamp01((retryRateW - retryRateB - 0.05) / 2) * (0.25 + 0.75 * amplifies)),
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

export const DETECTORS = [latency, wait, repeats, errors, timeouts, hopGaps, dependencies, propagation, deploys, runtime];
