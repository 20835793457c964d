// analyzeTrace: everything `npm run why` says about one trace, as one JSON-ready object. The shape
// of TraceReport is the `--json` contract (docs/why.md); add fields, never rename or remove them.
import { criticalPath, isAsyncChild } from './critical-path';
import { hops } from './hops';
import { type PlacedLogLine, placeLogs, type TraceLogLine } from './logs';
import type { Attributes, Span, SpanKind, StatusCode, Trace } from './model';
import { spanIndex } from './model';
import { selfTimes } from './self-time';
import {
  type DependencyNote,
  dependenciesOf,
  type ErrorNote,
  errorsOf,
  type FallbackNote,
  type FanOutNote,
  fallbacksOf,
  ms,
  type RetryNote,
  repeatsOf,
  type WaitNote,
  type WaitSpanNote,
  waitSpansOf,
  waitsOf,
} from './trace-notes';
import { verdictOf } from './verdict';

export {
  type DependencyNote,
  type ErrorNote,
  FALLBACK_REASON_ATTRIBUTE,
  type FallbackNote,
  type FanOutNote,
  ms,
  type RetryNote,
  type WaitNote,
  type WaitSpanNote,
} from './trace-notes';

/** Version of the report's shape; bumped only for an incompatible change. */
export const REPORT_SCHEMA = 'tracelab.why/v1';

export interface CriticalPathEntry {
  span_id: string;
  service: string;
  operation: string;
  /** ms since the trace's start. */
  start_ms: number;
  duration_ms: number;
}

export interface SelfTimeRow {
  service: string;
  /** Span name; absent in the per-service rows. */
  operation?: string;
  /** Span kind; absent in the per-service rows. A client span often has its server span's name. */
  kind?: SpanKind;
  /** Number of spans. */
  count: number;
  /** Sum of their durations. */
  total_ms: number;
  /** Sum of their self times (duration minus children). */
  self_ms: number;
  /** Their time on the critical path. */
  critical_ms: number;
  /** critical_ms / the critical path's total: 0..1, all rows sum to 1. */
  share: number;
}

/**
 * An operation's name with its span kind where the name alone is ambiguous: a client or producer
 * span often carries the name of the server span it calls (`POST /v1/predict (client)`).
 */
export const operationLabel = (operation: string, kind?: SpanKind): string =>
  kind === undefined || kind === 'server' || kind === 'internal' || kind === 'unspecified' ? operation : `${operation} (${kind})`;

export interface HopGap {
  client_span_id: string;
  server_span_id: string;
  from_service: string;
  to_service: string;
  client_operation: string;
  server_operation: string;
  client_ms: number;
  server_ms: number;
  /** Server start − client start. */
  before_ms: number;
  /** Client end − server end (negative when the server ran on after the client). */
  after_ms: number;
  /** before_ms + after_ms when both are ≥ 0: time in neither side's code. */
  gap_ms: number;
  clock_skew: boolean;
  server_outlived_client: boolean;
}

/** One span, as a waterfall needs it. */
export interface ReportSpan {
  span_id: string;
  /** Parent as recorded (may be absent from the trace). */
  parent_span_id?: string;
  /** Parent inside the trace; absent for roots and orphans. */
  parent_id?: string;
  depth: number;
  service: string;
  operation: string;
  kind: SpanKind;
  status: StatusCode;
  status_message?: string;
  start_ms: number;
  duration_ms: number;
  self_ms: number;
  /** Time of this span on the critical path. */
  critical_ms: number;
  /** The span's own pieces on the critical path, in time order. */
  critical_segments: { start_ms: number; duration_ms: number }[];
  on_critical_path: boolean;
  orphan: boolean;
  /** Not waited for by its parent (consumer of a producer, follows-from, a message sent after its parent ended). */
  async: boolean;
  attributes: Attributes;
  events: { name: string; time_ms: number; attributes: Attributes }[];
  links: { trace_id: string; span_id: string; attributes: Attributes }[];
  resource: Attributes;
  scope?: { name: string; version?: string };
}

/** The `--json` contract of `npm run why`. Times in ms (microsecond precision) from the trace's start. */
export interface TraceReport {
  schema: typeof REPORT_SCHEMA;
  trace_id: string;
  /** RFC 3339 time of the earliest span start. */
  start_time: string;
  /** From the earliest span start to the latest span end (Jaeger's trace duration). */
  duration_ms: number;
  /** Duration of the first root span: what the caller waited (less than duration_ms when spans outlive the root). */
  root_duration_ms: number;
  span_count: number;
  /** Services in the order they first appear. */
  services: string[];
  /** Root span ids (orphans included). */
  roots: string[];
  /** Span ids whose parent is not in the trace; shown as extra roots. */
  orphans: string[];
  /** Critical path segments in time order. */
  critical_path: CriticalPathEntry[];
  /** Sum of the critical path: the trace's duration when it has one root. */
  critical_path_ms: number;
  /** Per service + operation, most critical first. */
  self_time: SelfTimeRow[];
  /** Per service, most critical first. */
  service_time: SelfTimeRow[];
  hop_gaps: HopGap[];
  errors: ErrorNote[];
  fallbacks: FallbackNote[];
  /** Calls repeated after failures. */
  retries: RetryNote[];
  /** Calls repeated with no failure before a repeat (an N+1 when the arguments differ). */
  fan_outs: FanOutNote[];
  /** Time parents spent before a call started (a pool, queue or lock in the caller; not a hop gap). */
  waits: WaitNote[];
  /** Wait spans (lock, pool, queue) and spans whose events say why they waited. */
  wait_spans: WaitSpanNote[];
  /** Calls with no server span under them, by dependency (uninstrumented databases, caches, services). */
  dependencies: DependencyNote[];
  /** One sentence: where the time went, and what failed. */
  verdict: string;
  /** The trace's log lines in time order (empty when logs were not loaded). */
  logs: PlacedLogLine[];
  /** Depth-first, as a waterfall draws them. */
  spans: ReportSpan[];
  /** Things that make the analysis less certain (orphans, missing server spans, skew). */
  warnings: string[];
}

function timeRows(
  spans: Span[],
  keyOf: (span: Span) => { service: string; operation?: string; kind?: SpanKind },
  self: Map<string, number>,
  critical: Map<string, number>,
  criticalTotal: number,
): SelfTimeRow[] {
  const rows = new Map<string, SelfTimeRow & { totalNs: number; selfNs: number; criticalNs: number }>();
  for (const span of spans) {
    const key = keyOf(span);
    const id = JSON.stringify(key);
    const row = rows.get(id) ?? {
      ...key,
      count: 0,
      total_ms: 0,
      self_ms: 0,
      critical_ms: 0,
      share: 0,
      totalNs: 0,
      selfNs: 0,
      criticalNs: 0,
    };
    row.count++;
    row.totalNs += span.durationNs;
    row.selfNs += self.get(span.spanId) ?? 0;
    row.criticalNs += critical.get(span.spanId) ?? 0;
    rows.set(id, row);
  }
  return [...rows.values()]
    .map(({ totalNs, selfNs, criticalNs, ...row }) => ({
      ...row,
      total_ms: ms(totalNs),
      self_ms: ms(selfNs),
      critical_ms: ms(criticalNs),
      share: criticalTotal > 0 ? Math.round((criticalNs / criticalTotal) * 1e4) / 1e4 : 0,
    }))
    .sort((a, b) => b.critical_ms - a.critical_ms || b.self_ms - a.self_ms);
}

/** Options of analyzeTrace. */
/** The one warning line for every call with no server span under it, grouped by callee (the console unfolds it by span). */
export function dependencyWarning(dependencies: DependencyNote[]): string {
  const calls = dependencies.reduce((sum, d) => sum + d.calls, 0);
  const article = (what: string) => (/^[aeiouAEIOU]/.test(what) ? 'an' : 'a');
  const callees = dependencies
    .map((d) => `${d.what === 'service' ? '' : `${article(d.what)} ${d.what}: `}${d.peer} (${d.calls})`)
    .join(', ');
  return `${calls} call${calls === 1 ? '' : 's'} to uninstrumented dependencies: ${callees}: no server span under them (the callee is not traced, was not reached, or its spans have not arrived yet)`;
}

export interface AnalyzeOptions {
  /** The trace's log lines (from loadTraceLogs); placed under their spans in the report. */
  logs?: TraceLogLine[];
}

/** Analyses a trace: critical path, self time, hop gaps, errors, fallbacks, retries, verdict, logs. */
export function analyzeTrace(trace: Trace, { logs = [] }: AnalyzeOptions = {}): TraceReport {
  const index = spanIndex(trace);
  const path = criticalPath(trace);
  const self = selfTimes(trace);
  const critical = new Map<string, number>();
  const segments = new Map<string, { start_ms: number; duration_ms: number }[]>();
  let criticalTotal = 0;
  for (const segment of path) {
    const length = segment.endNs - segment.startNs;
    criticalTotal += length;
    critical.set(segment.spanId, (critical.get(segment.spanId) ?? 0) + length);
    const pieces = segments.get(segment.spanId);
    const piece = { start_ms: ms(segment.startNs), duration_ms: ms(length) };
    if (pieces) pieces.push(piece);
    else segments.set(segment.spanId, [piece]);
  }
  const orphans = new Set(trace.orphans);
  const warnings = [...trace.warnings];
  if (orphans.size > 0) {
    warnings.push(
      `${orphans.size} span(s) have a parent that is not in the trace (${[...orphans].join(', ')}): shown as extra roots; the trace may be incomplete or still arriving`,
    );
  }
  const dependencies = dependenciesOf(trace);
  if (dependencies.length > 0) warnings.push(dependencyWarning(dependencies));
  const hopGaps: HopGap[] = hops(trace).map((hop) => ({
    client_span_id: hop.client.spanId,
    server_span_id: hop.server.spanId,
    from_service: hop.client.service,
    to_service: hop.server.service,
    client_operation: hop.client.name,
    server_operation: hop.server.name,
    client_ms: ms(hop.client.durationNs),
    server_ms: ms(hop.server.durationNs),
    before_ms: ms(hop.beforeNs),
    after_ms: ms(hop.afterNs),
    gap_ms: ms(Math.max(0, hop.beforeNs) + Math.max(0, hop.afterNs)),
    clock_skew: hop.clockSkew,
    server_outlived_client: hop.serverOutlivedClient,
  }));
  for (const hop of hopGaps.filter((h) => h.clock_skew)) {
    warnings.push(
      `clock skew between ${hop.from_service} and ${hop.to_service}: server span ${hop.server_span_id} starts ${-hop.before_ms} ms before its client`,
    );
  }
  const spans: ReportSpan[] = trace.spans.map((span) => {
    const parent = span.parentId ? index.get(span.parentId) : undefined;
    const row: ReportSpan = {
      span_id: span.spanId,
      depth: span.depth,
      service: span.service,
      operation: span.name,
      kind: span.kind,
      status: span.status.code,
      start_ms: ms(span.startNs),
      duration_ms: ms(span.durationNs),
      self_ms: ms(self.get(span.spanId) ?? 0),
      critical_ms: ms(critical.get(span.spanId) ?? 0),
      critical_segments: segments.get(span.spanId) ?? [],
      on_critical_path: critical.has(span.spanId),
      orphan: orphans.has(span.spanId),
      async: parent !== undefined && isAsyncChild(span, parent),
      attributes: span.attributes,
      events: span.events.map((event) => ({ name: event.name, time_ms: ms(event.timeNs), attributes: event.attributes })),
      links: span.links.map((link) => ({ trace_id: link.traceId, span_id: link.spanId, attributes: link.attributes })),
      resource: span.resource,
    };
    if (span.parentSpanId) row.parent_span_id = span.parentSpanId;
    if (span.parentId) row.parent_id = span.parentId;
    if (span.status.message) row.status_message = span.status.message;
    if (span.scope) row.scope = span.scope;
    return row;
  });
  const selfTime = timeRows(
    trace.spans,
    (span) => ({ service: span.service, operation: span.name, kind: span.kind }),
    self,
    critical,
    criticalTotal,
  );
  const report: Omit<TraceReport, 'verdict'> = {
    schema: REPORT_SCHEMA,
    trace_id: trace.traceId,
    start_time: new Date(trace.startEpochMs).toISOString(),
    duration_ms: ms(trace.durationNs),
    root_duration_ms: ms(index.get(trace.roots[0]!)!.durationNs),
    span_count: trace.spans.length,
    services: [...new Set([...trace.spans].sort((a, b) => a.startNs - b.startNs).map((span) => span.service))],
    roots: trace.roots,
    orphans: trace.orphans,
    critical_path: path.map((segment) => {
      const span = index.get(segment.spanId)!;
      return {
        span_id: span.spanId,
        service: span.service,
        operation: span.name,
        start_ms: ms(segment.startNs),
        duration_ms: ms(segment.endNs - segment.startNs),
      };
    }),
    critical_path_ms: ms(criticalTotal),
    self_time: selfTime,
    service_time: timeRows(trace.spans, (span) => ({ service: span.service }), self, critical, criticalTotal),
    hop_gaps: hopGaps,
    errors: errorsOf(trace),
    fallbacks: fallbacksOf(trace, index),
    ...repeatsOf(trace),
    waits: waitsOf(trace),
    wait_spans: waitSpansOf(trace),
    dependencies,
    logs: placeLogs(trace, logs),
    spans,
    warnings,
  };
  return { ...report, verdict: verdictOf(report) };
}
