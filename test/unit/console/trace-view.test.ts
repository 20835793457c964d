// The trace page's view of a report from the analysis library: its rows and critical-path
// stripes come from the report unchanged, and log lines sit under the span that wrote them.
import { describe, expect, it } from 'vitest';
import { analyzeTrace, type TraceLogLine } from '../../../analysis';
import { waterfallItems, waterfallOf } from '../../../console/web/src/model/traceView';
import { visibleRows } from '../../../console/web/src/model/waterfall';
import { idOf, reportOf, TRACE_ID, traceOf } from '../analysis/fixtures';

// gateway server 0-100 › client 5-90 › model server 10-85 › infer 15-80; an orphan 20-30.
const SPECS = [
  { id: 'root', service: 'gateway', kind: 'server' as const, start: 0, end: 100 },
  { id: 'call', parent: 'root', service: 'gateway', kind: 'client' as const, start: 5, end: 90 },
  { id: 'srv', parent: 'call', service: 'model-inference', kind: 'server' as const, start: 10, end: 85 },
  { id: 'infer', parent: 'srv', service: 'model-inference', start: 15, end: 80, error: 'boom' },
  { id: 'lost', parent: 'gone', service: 'fallback-rules', start: 20, end: 30 },
];

describe('trace view', () => {
  it('draws the report’s spans in its order with its critical-path segments', () => {
    const report = reportOf(SPECS);
    const model = waterfallOf(report);
    const rows = visibleRows(model, new Set());
    expect(rows.map((r) => r.span.id)).toEqual(report.spans.map((s) => s.span_id));
    expect(rows.map((r) => r.span.depth)).toEqual(report.spans.map((s) => s.depth));
    for (const row of rows) {
      const span = report.spans.find((s) => s.span_id === row.span.id)!;
      expect(row.onCriticalPath).toBe(span.on_critical_path);
      expect(row.critical).toHaveLength(span.critical_segments.length);
    }
    const infer = rows.find((r) => r.span.id === idOf('infer'))!;
    expect(infer.span.error).toBe(true);
    expect(infer.bar).toEqual({ leftPct: 15, widthPct: 65 });
    // Folding the gateway's root keeps the whole path visible on its one row.
    const folded = visibleRows(model, new Set([idOf('root')]));
    const critical = report.spans.reduce((n, s) => n + s.critical_segments.length, 0);
    expect(folded.find((r) => r.span.id === idOf('root'))!.critical).toHaveLength(
      critical - (report.spans.find((s) => s.span_id === idOf('lost'))?.critical_segments.length ?? 0),
    );
  });

  it('puts each log line under its span, lines of no span last, and hides them on request', () => {
    const line = (spanId: string | undefined, message: string, ms: number): TraceLogLine => ({
      time: new Date(1_764_100_000_000 + ms).toISOString(),
      epoch_ms: 1_764_100_000_000 + ms,
      service: 'gateway',
      severity: 'info',
      message,
      trace_id: TRACE_ID,
      ...(spanId ? { span_id: spanId } : {}),
      fields: {},
    });
    const report = analyzeTrace(traceOf(SPECS), {
      logs: [line(idOf('infer'), 'inferred', 50), line(idOf('root'), 'request completed', 99), line(undefined, 'no span', 1)],
    });
    const rows = visibleRows(waterfallOf(report), new Set());
    const items = waterfallItems(rows, report.logs, true);
    const described = items.map((i) => (i.kind === 'span' ? `span:${i.row.span.id}` : `log:${i.log.message}`));
    expect(described.indexOf('log:inferred')).toBe(described.indexOf(`span:${idOf('infer')}`) + 1);
    expect(described.indexOf('log:request completed')).toBe(described.indexOf(`span:${idOf('root')}`) + 1);
    expect(described.at(-1)).toBe('log:no span');
    expect(waterfallItems(rows, report.logs, false)).toHaveLength(rows.length);
  });
});
