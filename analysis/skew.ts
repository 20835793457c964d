// Clock skew, shown and never corrected: a child span that starts before its parent, or (when
// its parent waits for it) ends after it, by more than a small tolerance. Within one process
// that cannot happen; across hosts it means their clocks disagree (or, for a late end only, that
// the parent stopped waiting, e.g. a client timeout). The raw timestamps are reported as
// recorded, with the size of the skew, and whether it may distort the critical path: the path
// clips children to their parent's time, so a skewed span on it, or under a span on it, moves
// time between the two sides. Pure TypeScript: the console shares it.
import { criticalPath, isAsyncChild } from './critical-path';
import { type Span, spanIndex, type Trace } from './model';

/** Default tolerance: timestamps are often rounded to the microsecond or millisecond. */
export const SKEW_TOLERANCE_MS = 1;

export interface SkewedSpan {
  span_id: string;
  parent_span_id: string;
  service: string;
  parent_service: string;
  /** ms the child starts before its parent (0 when it does not). */
  starts_early_ms: number;
  /** ms the child ends after its parent (0 when it does not, or when the parent does not wait for it). */
  ends_late_ms: number;
  /** Raw start and end of the child and of its parent, ns since the Unix epoch as recorded. */
  start_unix_nano: string;
  end_unix_nano: string;
  parent_start_unix_nano: string;
  parent_end_unix_nano: string;
  /** The two spans come from different services (so likely different hosts and clocks). */
  cross_service: boolean;
  /** The span or its parent is on the critical path, which this skew may shift. */
  on_critical_path: boolean;
}

export interface SkewReport {
  tolerance_ms: number;
  spans: SkewedSpan[];
  /** One sentence when skew may distort the critical path, else undefined. */
  critical_path_note?: string;
}

const ms = (ns: number) => Math.round(ns / 1e3) / 1e3;
const endUnixNano = (span: Span) => (BigInt(span.startUnixNano) + BigInt(Math.round(span.durationNs))).toString();

/** Spans that stick out of their parent by more than `toleranceMs`, and what that does to the critical path. */
export function findClockSkew(
  trace: Trace,
  {
    toleranceMs = SKEW_TOLERANCE_MS,
    criticalSpanIds,
  }: {
    toleranceMs?: number;
    /** The spans on the critical path when already known (e.g. from analyzeTrace's report); computed otherwise. */
    criticalSpanIds?: ReadonlySet<string>;
  } = {},
): SkewReport {
  const index = spanIndex(trace);
  const toleranceNs = toleranceMs * 1e6;
  const critical = criticalSpanIds ?? new Set(criticalPath(trace).map((segment) => segment.spanId));
  const spans: SkewedSpan[] = [];
  for (const span of trace.spans) {
    const parent = span.parentId ? index.get(span.parentId) : undefined;
    if (!parent) continue;
    const early = parent.startNs - span.startNs;
    const late = isAsyncChild(span, parent) ? 0 : span.endNs - parent.endNs;
    if (early <= toleranceNs && late <= toleranceNs) continue;
    spans.push({
      span_id: span.spanId,
      parent_span_id: parent.spanId,
      service: span.service,
      parent_service: parent.service,
      starts_early_ms: early > toleranceNs ? ms(early) : 0,
      ends_late_ms: late > toleranceNs ? ms(late) : 0,
      start_unix_nano: span.startUnixNano,
      end_unix_nano: endUnixNano(span),
      parent_start_unix_nano: parent.startUnixNano,
      parent_end_unix_nano: endUnixNano(parent),
      cross_service: span.service !== parent.service,
      on_critical_path: critical.has(span.spanId) || critical.has(parent.spanId),
    });
  }
  const distorting = spans.filter((s) => s.on_critical_path);
  const pairs = [...new Set(distorting.map((s) => `${s.parent_service} → ${s.service}`))];
  const worst = Math.max(0, ...distorting.map((s) => Math.max(s.starts_early_ms, s.ends_late_ms)));
  return {
    tolerance_ms: toleranceMs,
    spans,
    ...(distorting.length
      ? {
          critical_path_note: `clock skew of up to ${worst} ms on the critical path (${pairs.join(', ')}): the path clips each child to its parent's time, so up to that much may be counted on the wrong side; the timestamps are shown as recorded`,
        }
      : {}),
  };
}
