// From the trace analysis library's report to what the trace page draws: waterfall spans and
// critical-path segments, and the rows of the waterfall including the log lines placed under
// their spans. Only re-shaping here: every number comes from the report.
import type { PlacedLogLine, SkewedSpan, TraceReport } from '../../../../analysis';
import { buildWaterfall, type CriticalSegment, type WaterfallModel, type WaterfallRow, type WaterfallSpan } from './waterfall';

/** The clock-skew mark of a span: what sticks out by how much, and the raw timestamps (ns since the epoch). */
export function skewText(skew: SkewedSpan): string {
  const parts = [
    skew.starts_early_ms ? `starts ${skew.starts_early_ms} ms before its parent` : '',
    skew.ends_late_ms ? `ends ${skew.ends_late_ms} ms after its parent` : '',
  ].filter(Boolean);
  return `Clock skew: ${parts.join(' and ')} (${skew.parent_service}${skew.cross_service ? ', another service: their clocks disagree' : ''}). Raw timestamps, not adjusted: this span ${skew.start_unix_nano} → ${skew.end_unix_nano} ns, its parent ${skew.parent_start_unix_nano} → ${skew.parent_end_unix_nano} ns.`;
}

export function waterfallOf(report: TraceReport, skewed: SkewedSpan[] = []): WaterfallModel {
  const skewOf = new Map(skewed.map((s) => [s.span_id, skewText(s)]));
  const spans: WaterfallSpan[] = report.spans.map((s) => ({
    id: s.span_id,
    depth: s.depth,
    service: s.service,
    operation: s.operation,
    startMs: s.start_ms,
    durationMs: s.duration_ms,
    error: s.status === 'error',
    ...(skewOf.has(s.span_id) ? { skew: skewOf.get(s.span_id)! } : {}),
  }));
  const critical: CriticalSegment[] = report.spans.flatMap((s) =>
    s.critical_segments.map((c) => ({ spanId: s.span_id, startMs: c.start_ms, endMs: c.start_ms + c.duration_ms })),
  );
  return buildWaterfall(spans, critical, report.duration_ms);
}

export type WaterfallItem =
  | { kind: 'span'; row: WaterfallRow }
  | { kind: 'log'; log: PlacedLogLine; depth: number; spanId: string | undefined };

/** Span rows, each followed (when shown) by its own log lines; lines under no span come last. */
export function waterfallItems(rows: WaterfallRow[], logs: PlacedLogLine[], showLogs: boolean): WaterfallItem[] {
  if (!showLogs || !logs.length) return rows.map((row) => ({ kind: 'span', row }));
  const bySpan = new Map<string, PlacedLogLine[]>();
  const loose: PlacedLogLine[] = [];
  for (const log of logs) {
    if (log.under_span_id === undefined) loose.push(log);
    else {
      const list = bySpan.get(log.under_span_id);
      if (list) list.push(log);
      else bySpan.set(log.under_span_id, [log]);
    }
  }
  const items: WaterfallItem[] = [];
  for (const row of rows) {
    items.push({ kind: 'span', row });
    // A collapsed row hides its descendants' lines with them: only its own are listed.
    for (const log of bySpan.get(row.span.id) ?? []) items.push({ kind: 'log', log, depth: row.span.depth + 1, spanId: row.span.id });
  }
  for (const log of loose) items.push({ kind: 'log', log, depth: 0, spanId: undefined });
  return items;
}
