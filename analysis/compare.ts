// Comparing two traces (which spans got slower, by how much), or one trace against the usual
// durations of its operations (from the collector's spanmetrics in Prometheus).
import type { Trace } from './model';
import { analyzeTrace, type TraceReport } from './report';

/** One span position matched across two traces. */
export interface SpanDelta {
  /** Where the span sits: `service › operation` steps from the root, `#n` for the n-th repeat. */
  path: string;
  service: string;
  operation: string;
  a_ms?: number;
  b_ms?: number;
  /** b − a; absent when the span is only in one trace. */
  delta_ms?: number;
  a_self_ms?: number;
  b_self_ms?: number;
  self_delta_ms?: number;
}

export interface TraceComparison {
  /** root_duration_ms: the root span's duration, what the caller waited. */
  a: { trace_id: string; root_duration_ms: number; verdict: string };
  b: { trace_id: string; root_duration_ms: number; verdict: string };
  /** b − a of the root spans' durations. */
  duration_delta_ms: number;
  /** Spans in both traces, largest self-time change first. */
  changed: SpanDelta[];
  only_in_a: SpanDelta[];
  only_in_b: SpanDelta[];
  /** One sentence. */
  verdict: string;
}

const round3 = (value: number) => Math.round(value * 1000) / 1000;
const shown = (value: number) =>
  `${value >= 0 ? '+' : '−'}${Math.abs(value) >= 10 ? Math.round(Math.abs(value)) : Math.round(Math.abs(value) * 10) / 10} ms`;

/** Each span's structural path; repeats of one path under one parent are numbered in start order. */
function spansByPath(report: TraceReport): Map<string, TraceReport['spans'][number]> {
  const pathOf = new Map<string, string>();
  const seen = new Map<string, number>();
  const result = new Map<string, TraceReport['spans'][number]>();
  const ordered = [...report.spans].sort((x, y) => x.depth - y.depth || x.start_ms - y.start_ms);
  for (const span of ordered) {
    const parentPath = span.parent_id ? (pathOf.get(span.parent_id) ?? '') : '';
    const step = `${span.service} › ${span.operation}`;
    const base = parentPath ? `${parentPath} / ${step}` : step;
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    const path = n > 1 ? `${base} #${n}` : base;
    pathOf.set(span.span_id, path);
    result.set(path, span);
  }
  return result;
}

const asReport = (t: Trace | TraceReport): TraceReport => ('schema' in t ? t : analyzeTrace(t));

/**
 * Matches the spans of two traces (or their reports) by their place in the tree (service › operation
 * steps from the root) and compares their durations and self times.
 */
export function compareTraces(first: Trace | TraceReport, second: Trace | TraceReport): TraceComparison {
  const a = asReport(first);
  const b = asReport(second);
  const left = spansByPath(a);
  const right = spansByPath(b);
  const changed: SpanDelta[] = [];
  const onlyInA: SpanDelta[] = [];
  const onlyInB: SpanDelta[] = [];
  for (const [path, span] of left) {
    const other = right.get(path);
    if (!other) {
      onlyInA.push({ path, service: span.service, operation: span.operation, a_ms: span.duration_ms, a_self_ms: span.self_ms });
      continue;
    }
    changed.push({
      path,
      service: span.service,
      operation: span.operation,
      a_ms: span.duration_ms,
      b_ms: other.duration_ms,
      delta_ms: round3(other.duration_ms - span.duration_ms),
      a_self_ms: span.self_ms,
      b_self_ms: other.self_ms,
      self_delta_ms: round3(other.self_ms - span.self_ms),
    });
  }
  for (const [path, span] of right) {
    if (!left.has(path))
      onlyInB.push({ path, service: span.service, operation: span.operation, b_ms: span.duration_ms, b_self_ms: span.self_ms });
  }
  changed.sort((x, y) => Math.abs(y.self_delta_ms!) - Math.abs(x.self_delta_ms!));
  const delta = round3(b.root_duration_ms - a.root_duration_ms);
  const clauses = [`${b.trace_id} took ${shown(delta)} compared with ${a.trace_id} (${b.root_duration_ms} ms vs ${a.root_duration_ms} ms)`];
  const biggest = changed[0];
  if (biggest && biggest.self_delta_ms !== 0)
    clauses.push(`the largest self-time change is ${biggest.service} › ${biggest.operation} (${shown(biggest.self_delta_ms!)})`);
  const added = onlyInB.reduce((sum, span) => sum + span.b_self_ms!, 0);
  if (onlyInB.length > 0) clauses.push(`${onlyInB.length} span(s) only in ${b.trace_id} add ${shown(added)} of self time`);
  if (onlyInA.length > 0) clauses.push(`${onlyInA.length} span(s) only in ${a.trace_id}`);
  return {
    a: { trace_id: a.trace_id, root_duration_ms: a.root_duration_ms, verdict: a.verdict },
    b: { trace_id: b.trace_id, root_duration_ms: b.root_duration_ms, verdict: b.verdict },
    duration_delta_ms: delta,
    changed,
    only_in_a: onlyInA,
    only_in_b: onlyInB,
    verdict: `${clauses.join('; ')}.`,
  };
}

/** How long an operation usually takes, from spanmetrics. */
export interface UsualDuration {
  service: string;
  operation: string;
  kind: string;
  p50_ms: number;
  p99_ms: number;
  /** Calls per second over the window. */
  rate: number;
}

export interface UsualComparisonRow {
  span_id: string;
  service: string;
  operation: string;
  duration_ms: number;
  p50_ms: number;
  p99_ms: number;
  /** duration / p50. */
  ratio: number;
  /** Slower than the operation's p99. */
  above_p99: boolean;
}

export interface UsualComparison {
  trace_id: string;
  /** Spans with a usual duration, slowest relative to their p50 first. */
  spans: UsualComparisonRow[];
  verdict: string;
}

/** Compares every span of a trace with its operation's usual p50/p99. */
export function compareWithUsual(report: TraceReport, usual: UsualDuration[]): UsualComparison {
  const lookup = new Map(usual.map((u) => [JSON.stringify([u.service, u.operation, u.kind]), u]));
  const rows: UsualComparisonRow[] = [];
  for (const span of report.spans) {
    const u = lookup.get(JSON.stringify([span.service, span.operation, span.kind]));
    if (!u || !(u.p50_ms > 0)) continue;
    rows.push({
      span_id: span.span_id,
      service: span.service,
      operation: span.operation,
      duration_ms: span.duration_ms,
      p50_ms: u.p50_ms,
      p99_ms: u.p99_ms,
      ratio: Math.round((span.duration_ms / u.p50_ms) * 100) / 100,
      above_p99: span.duration_ms > u.p99_ms,
    });
  }
  rows.sort((x, y) => y.ratio - x.ratio);
  const slow = rows.filter((row) => row.above_p99);
  const verdict =
    slow.length > 0
      ? `${slow.length} span(s) slower than their operation's usual p99: ${slow
          .slice(0, 3)
          .map((row) => `${row.service} › ${row.operation} ${row.duration_ms} ms (p99 ${row.p99_ms} ms, ${row.ratio}× p50)`)
          .join(', ')}.`
      : rows.length > 0
        ? `Every span is within its operation's usual p99; the furthest from its p50 is ${rows[0]!.service} › ${rows[0]!.operation} (${rows[0]!.ratio}× p50).`
        : 'No usual durations are known for the operations of this trace.';
  return { trace_id: report.trace_id, spans: rows, verdict };
}
