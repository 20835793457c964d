// Comparing two traces (which spans got slower, by how much), or one trace against the usual
// durations of its operations (from the collector's spanmetrics in Prometheus).
import type { Trace } from './model';
import { analyzeTrace, type TraceReport } from './report';

/** One span position matched across two traces. */
export interface SpanDelta {
  /**
   * Where the span sits: `service › operation` steps from the root (a client span's step also
   * names its peer: `service › operation → peer`), `#n` for the n-th repeat.
   */
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
  /**
   * a is the baseline, b the trace set against it (`npm run why -- <b> --vs <a>`).
   * root_duration_ms: the root span's duration, what the caller waited.
   */
  a: { trace_id: string; root_duration_ms: number; verdict: string };
  b: { trace_id: string; root_duration_ms: number; verdict: string };
  /** b − a of the root spans' durations: positive when b was slower than the baseline. */
  duration_delta_ms: number;
  /** Spans in both traces, largest self-time change first. */
  changed: SpanDelta[];
  only_in_a: SpanDelta[];
  only_in_b: SpanDelta[];
  /** One sentence. */
  verdict: string;
}

const round1 = (value: number) => Math.round(value * 10) / 10;
const round3 = (value: number) => Math.round(value * 1000) / 1000;
/** A duration for a sentence: no sign, 1 decimal below 10 ms. */
const ms = (value: number) => `${Math.abs(value) >= 10 ? Math.round(Math.abs(value)) : round1(Math.abs(value))} ms`;
/** A change in words, so that no sign has to be read: "571 ms more", "12 ms less". */
const change = (value: number) => (value === 0 ? 'no change' : `${ms(value)} ${value > 0 ? 'more' : 'less'}`);

const peerOf = (span: TraceReport['spans'][number]) => {
  const peer = span.kind === 'client' ? (span.attributes['peer.service'] ?? span.attributes['server.address']) : undefined;
  return peer === undefined || peer === null ? undefined : String(peer);
};

/** A span's name for a sentence: `service › operation`, and for a client span `→ peer`. */
const nameOf = (row: { service: string; operation: string; peer?: string }) =>
  `${row.service} › ${row.operation}${row.peer ? ` → ${row.peer}` : ''}`;

/** Each span's structural path; repeats of one path under one parent are numbered in start order. */
function spansByPath(report: TraceReport): Map<string, TraceReport['spans'][number]> {
  const pathOf = new Map<string, string>();
  const seen = new Map<string, number>();
  const result = new Map<string, TraceReport['spans'][number]>();
  const ordered = [...report.spans].sort((x, y) => x.depth - y.depth || x.start_ms - y.start_ms);
  for (const span of ordered) {
    const parentPath = span.parent_id ? (pathOf.get(span.parent_id) ?? '') : '';
    const step = nameOf({ service: span.service, operation: span.operation, peer: peerOf(span) });
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
 * steps from the root) and compares their durations and self times: `trace` against `baseline`.
 */
export function compareTraces(baseline: Trace | TraceReport, trace: Trace | TraceReport): TraceComparison {
  const a = asReport(baseline);
  const b = asReport(trace);
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
  const pace = Math.abs(delta) < 0.05 ? 'took as long as' : `was ${ms(delta)} ${delta > 0 ? 'slower' : 'faster'} than`;
  const clauses = [
    `${b.trace_id} ${pace} the baseline ${a.trace_id} (${round1(b.root_duration_ms)} ms vs ${round1(a.root_duration_ms)} ms)`,
  ];
  const biggest = changed[0];
  if (biggest && biggest.self_delta_ms !== 0)
    clauses.push(`the largest self-time change is ${biggest.service} › ${biggest.operation} (${change(biggest.self_delta_ms!)})`);
  const added = onlyInB.reduce((sum, span) => sum + span.b_self_ms!, 0);
  if (onlyInB.length > 0) clauses.push(`${onlyInB.length} span(s) not in the baseline add ${ms(added)} of self time`);
  if (onlyInA.length > 0) clauses.push(`${onlyInA.length} span(s) of the baseline are missing`);
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
  /** Who a client span called (peer.service, else server.address): two calls of one name apart. */
  peer?: string;
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
  /** The PromQL range the usual durations were measured over, e.g. "15m". */
  window: string;
  /** Spans with a usual duration, slowest relative to their p50 first. */
  spans: UsualComparisonRow[];
  verdict: string;
}

/** Rounds a duration for display: whole ms from 10 ms, tenths below (histogram estimates are no finer). */
const roundMs = (value: number) => (Math.abs(value) >= 10 ? Math.round(value) : round1(value));

/**
 * Compares every span of a trace with its operation's usual p50/p99 (usual durations measured
 * over `window`, a PromQL range; 15m is what `loadUsualDurations` uses by default).
 */
export function compareWithUsual(report: TraceReport, usual: UsualDuration[], window = '15m'): UsualComparison {
  const lookup = new Map(usual.map((u) => [JSON.stringify([u.service, u.operation, u.kind]), u]));
  const rows: UsualComparisonRow[] = [];
  for (const span of report.spans) {
    const u = lookup.get(JSON.stringify([span.service, span.operation, span.kind]));
    if (!u || !(u.p50_ms > 0)) continue;
    const peer = peerOf(span);
    rows.push({
      span_id: span.span_id,
      service: span.service,
      operation: span.operation,
      ...(peer ? { peer } : {}),
      duration_ms: span.duration_ms,
      p50_ms: roundMs(u.p50_ms),
      p99_ms: roundMs(u.p99_ms),
      ratio: Math.round((span.duration_ms / u.p50_ms) * 100) / 100,
      above_p99: span.duration_ms > u.p99_ms,
    });
  }
  rows.sort((x, y) => y.ratio - x.ratio);
  const slow = rows.filter((row) => row.above_p99);
  const over = `over the last ${window}`;
  const verdict =
    slow.length > 0
      ? `${slow.length} span(s) slower than their operation's usual p99 ${over}: ${slow
          .slice(0, 3)
          .map((row) => `${nameOf(row)} ${roundMs(row.duration_ms)} ms (p99 ${row.p99_ms} ms, ${row.ratio}× p50)`)
          .join(', ')}.`
      : rows.length > 0
        ? `Every span is within its operation's usual p99 ${over}; the furthest from its p50 is ${nameOf(rows[0]!)} (${rows[0]!.ratio}× p50).`
        : `No usual durations are known for the operations of this trace ${over}.`;
  return { trace_id: report.trace_id, window, spans: rows, verdict };
}
