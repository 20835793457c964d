// diagnose(): from what the backends hold for a window and a baseline to ranked hypotheses with
// evidence. Pure and deterministic: the same input gives the same answer (recorded cases replay).
import type { Trace } from '../model';
import { spanIndex } from '../model';
import { type Candidate, DETECTORS, type Periods } from './detect';
import { runtime } from './detect-runtime';
import { observe } from './observe';
import { callRateQuery, callsPerRequestQuery, errorShareQuery, p90Query, rangeOf } from './queries';
import { quantile } from './stats';
import {
  type Diagnosis,
  type DiagnosisInput,
  type DiagnosisLogLine,
  type EvidenceLog,
  HYPOTHESIS_KINDS,
  type Hypothesis,
  REPORT_CONFIDENCE,
} from './types';

/** Kinds whose change in a service makes its callers' timeouts a consequence, not a cause. */
const SLOWNESS = new Set(['latency', 'wait', 'cpu', 'hop-gap', 'dependency', 'memory']);

/**
 * One hypothesis can explain another: then the explained one is capped below the explaining one.
 * - cpu or memory in a service explains its operations' latency and the hop gaps before them;
 * - any slowness of a callee explains its callers' timeouts;
 * - retries that multiply calls explain part of the callee's errors (the storm is the caller's);
 * - a hop gap yields to any other finding about the caller or the callee (a busy process is late to send or to start);
 * - a fan-out explains the time of the operations it calls that the baseline never called;
 * - a service that drops the trace context loses its calls' spans, so its own time looks longer;
 * - a slow or failing callee explains its callers' waits for a connection or a breaker's verdict.
 */
function explain(candidates: Candidate[], callees: Map<string, Set<string>>): void {
  const cap = (target: Candidate, by: Candidate, margin: number) => {
    target.confidence = Math.min(target.confidence, by.confidence - margin);
  };
  const strongest = (kinds: string[], service: string) =>
    candidates.filter((c) => kinds.includes(c.kind) && c.service === service).sort((a, b) => b.confidence - a.confidence)[0];
  for (const candidate of candidates) {
    if (candidate.kind === 'latency' || candidate.kind === 'hop-gap') {
      const runtime = strongest(['cpu', 'memory'], candidate.service);
      if (runtime) cap(candidate, runtime, 0.1);
      const fanOut = candidates.find((c) => c.kind === 'fan-out' && c.peer === candidate.service);
      if (fanOut) cap(candidate, fanOut, 0.1);
      const split = strongest(['propagation'], candidate.service);
      if (split) cap(candidate, split, 0.1);
    }
    // A caller waiting for a connection or a breaker's verdict on a callee that got slow or fails
    // waits because of it (connections are held longer, the breaker half-opens): the callee speaks first.
    // A wait that gave up before any call names no callee: then any callee of the waiting service may explain it.
    const waitedFor = (c: Candidate) => (c.peer ? [c.peer] : [...(callees.get(c.service) ?? [])]);
    const calleeSlowness = (c: Candidate) =>
      waitedFor(c)
        .map((peer) => strongest(['latency', 'errors', 'cpu', 'memory', 'dependency'], peer))
        .filter((slow): slow is Candidate => slow !== undefined)
        .sort((a, b) => b.confidence - a.confidence)[0];
    if (candidate.kind === 'wait') {
      const slow = calleeSlowness(candidate);
      if (slow) cap(candidate, slow, 0.1);
    }
    // Errors that start in a wait (it gave up: a budget ran out while waiting) share the wait's cause.
    if (
      candidate.kind === 'errors' &&
      candidates.some((c) => c.kind === 'wait' && c.service === candidate.service && c.operation === candidate.operation)
    ) {
      const slow = calleeSlowness(candidate);
      if (slow) cap(candidate, slow, 0.1);
    }
    if (candidate.kind === 'timeouts' && candidate.peer) {
      const slow = strongest([...SLOWNESS], candidate.peer);
      if (slow) cap(candidate, slow, 0.1);
    }
    if (candidate.kind === 'hop-gap') {
      // Time before a handler starts is also a busy caller's or callee's: any other finding about either comes first.
      const other = candidates
        .filter((c) => c !== candidate && c.kind !== 'hop-gap' && (c.service === candidate.service || c.service === candidate.peer))
        .sort((a, b) => b.confidence - a.confidence)[0];
      if (other) cap(candidate, other, 0.05);
    }
    if (candidate.kind === 'errors') {
      const storm = candidates.find((c) => c.kind === 'retries' && c.peer === candidate.service && c.confidence >= 0.75);
      if (storm) cap(candidate, storm, 0.05);
    }
  }
}

/** Which services each service calls in the traces (a child span of another service under one of its spans). */
function calleesOf(traces: Trace[]): Map<string, Set<string>> {
  const callees = new Map<string, Set<string>>();
  for (const trace of traces) {
    const index = spanIndex(trace);
    for (const span of trace.spans) {
      const parent = span.parentId ? index.get(span.parentId) : undefined;
      if (!parent || parent.service === span.service) continue;
      callees.set(parent.service, (callees.get(parent.service) ?? new Set()).add(span.service));
    }
  }
  return callees;
}

/** Ranks by confidence, then impact, then kind and service (a total order: deterministic). */
function rank(candidates: Candidate[]): Candidate[] {
  const sorted = [...candidates].sort(
    (a, b) =>
      b.confidence - a.confidence ||
      b.impact - a.impact ||
      HYPOTHESIS_KINDS.indexOf(a.kind) - HYPOTHESIS_KINDS.indexOf(b.kind) ||
      a.service.localeCompare(b.service) ||
      (a.operation ?? '').localeCompare(b.operation ?? ''),
  );
  // One hypothesis per (kind, service): the best-supported operation speaks for it.
  const seen = new Set<string>();
  return sorted.filter((c) => {
    const key = `${c.kind}\u0000${c.service}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Services `service` reaches through calls in the traces (itself included): what --service covers. */
function reachable(service: string, traces: Trace[]): Set<string> {
  const edges = new Map<string, Set<string>>();
  for (const trace of traces) {
    const index = spanIndex(trace);
    for (const span of trace.spans) {
      const parent = span.parentId ? index.get(span.parentId) : undefined;
      if (!parent || parent.service === span.service) continue;
      const to = edges.get(parent.service) ?? new Set();
      to.add(span.service);
      edges.set(parent.service, to);
    }
    // Uninstrumented dependencies are named after their callee (peer.service, db.system, …).
    for (const span of trace.spans) {
      if (span.kind !== 'client') continue;
      for (const key of ['peer.service', 'db.system.name', 'db.system', 'server.address']) {
        const value = span.attributes[key];
        if (typeof value === 'string') edges.set(span.service, (edges.get(span.service) ?? new Set()).add(value));
      }
    }
  }
  const result = new Set([service]);
  const queue = [service];
  while (queue.length > 0) {
    for (const next of edges.get(queue.shift()!) ?? []) {
      if (result.has(next)) continue;
      result.add(next);
      queue.push(next);
    }
  }
  return result;
}

/** A usual baseline trace of the same entry point: the one nearest the entry's median duration. */
function usualTrace(trace: Trace, periods: Periods): Trace | undefined {
  const entry = periods.window.entryOf.get(trace);
  let pool = periods.baseline.traces.filter((t) => periods.baseline.entryOf.get(t) === entry);
  if (pool.length === 0) pool = periods.baseline.traces;
  if (pool.length === 0) return undefined;
  const median = quantile(
    pool.map((t) => t.durationNs),
    0.5,
  );
  return pool.reduce((best, t) =>
    Math.abs(t.durationNs - median) < Math.abs(best.durationNs - median) || (t.durationNs === best.durationNs && t.traceId < best.traceId)
      ? t
      : best,
  );
}

function queriesOf(candidate: Candidate, input: DiagnosisInput): string[] {
  const range = rangeOf(input.window.toMs - input.window.fromMs);
  const fromMetrics = (candidate.metricIds ?? [])
    .map((id) => input.metrics.find((m) => m.id === id))
    .filter((m) => m?.window.some((s) => (s.labels.job ?? s.labels.service_name) === candidate.service))
    .map((m) => m!.promql);
  if (!candidate.spans) return fromMetrics;
  const spans = candidate.spans;
  switch (candidate.kind) {
    case 'errors':
      return [...fromMetrics, errorShareQuery(spans, range)];
    case 'fan-out':
    case 'retries':
      return [...fromMetrics, callsPerRequestQuery(spans, range)];
    case 'timeouts':
      return [...fromMetrics, errorShareQuery(spans, range)];
    case 'propagation':
      return [...fromMetrics, callRateQuery(spans, range)];
    default:
      return [...fromMetrics, p90Query(spans, range)];
  }
}

function logsOf(candidate: Candidate, lines: DiagnosisLogLine[], traceIds: Set<string>): EvidenceLog[] {
  const services = new Set([candidate.service, ...(candidate.peer ? [candidate.peer] : [])]);
  const relevant = lines.filter((line) => services.has(line.service));
  const chosen = [
    ...relevant.filter((line) => line.traceId && traceIds.has(line.traceId)),
    ...relevant.filter((line) => !line.traceId || !traceIds.has(line.traceId)),
  ].slice(0, 3);
  return chosen.map((line) => ({
    time: new Date(line.timeMs).toISOString(),
    service: line.service,
    level: line.level,
    message: line.message,
    ...(line.traceId ? { trace_id: line.traceId } : {}),
  }));
}

/** Fewer baseline traces than this and the trace-based kinds have nothing to compare against. */
export const MIN_BASELINE_TRACES = 10;

/** Diagnoses a window against its baseline: ranked hypotheses at confidence ≥ REPORT_CONFIDENCE, with evidence. */
export function diagnose(input: DiagnosisInput): Diagnosis {
  const periods: Periods = { window: observe(input.traces.window), baseline: observe(input.traces.baseline), metrics: input.metrics };
  const notes: string[] = [];
  let detectors = DETECTORS;
  if (periods.baseline.traces.length < MIN_BASELINE_TRACES) {
    // Everything would look new: only the runtime metrics are compared.
    detectors = [runtime];
    notes.push(
      `the baseline holds ${periods.baseline.traces.length} request traces (at least ${MIN_BASELINE_TRACES} are needed): only runtime metrics were compared`,
    );
  }
  if (periods.window.traces.length === 0) notes.push('the window holds no request traces');
  const candidates = detectors.flatMap((detect) => detect(periods));
  explain(candidates, calleesOf(input.traces.window));
  const inScope = input.service ? reachable(input.service, [...input.traces.window, ...input.traces.baseline]) : undefined;
  const reported = rank(candidates).filter((c) => c.confidence >= REPORT_CONFIDENCE && (!inScope || inScope.has(c.service)));
  const hypotheses: Hypothesis[] = reported.map((candidate, i) => {
    const usual = candidate.trace ? usualTrace(candidate.trace, periods) : undefined;
    const traces = candidate.trace ? [{ trace_id: candidate.trace.traceId, ...(usual ? { baseline_trace_id: usual.traceId } : {}) }] : [];
    return {
      rank: i + 1,
      kind: candidate.kind,
      service: candidate.service,
      ...(candidate.operation ? { operation: candidate.operation } : {}),
      confidence: Math.round(candidate.confidence * 100) / 100,
      summary: candidate.summary,
      evidence: {
        traces,
        queries: queriesOf(candidate, input),
        logs: logsOf(candidate, input.logs.window, new Set(traces.map((t) => t.trace_id))),
      },
    };
  });
  const iso = (ms: number) => new Date(ms).toISOString();
  return {
    window: { from: iso(input.window.fromMs), to: iso(input.window.toMs) },
    baseline: { from: iso(input.baseline.fromMs), to: iso(input.baseline.toMs) },
    status: hypotheses.length > 0 ? 'degraded' : 'healthy',
    hypotheses,
    read: {
      traces: { window: input.traces.window.length, baseline: input.traces.baseline.length },
      series: input.metrics.reduce((sum, m) => sum + m.window.length + m.baseline.length, 0),
      logs: input.logs.window.length + input.logs.baseline.length,
    },
    notes,
  };
}
