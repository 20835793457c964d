// The waterfall's layout, computed once per trace and cheaply per collapse/expand: rows in the
// trace analysis's depth-first order, each with its bar as a share of the trace, and
// the critical path's segments overlaid on the rows. A collapsed row carries the critical-path
// segments of its hidden descendants, so the path stays visible whatever is folded away.
// Pure data in, pure data out: no DOM (unit-tested without a browser).

export interface WaterfallSpan {
  id: string;
  /** Nesting level: 0 for roots (orphans included), parent's depth + 1 otherwise. */
  depth: number;
  service: string;
  operation: string;
  /** Milliseconds since the trace's start. */
  startMs: number;
  durationMs: number;
  error: boolean;
  /** Clock skew against its parent, described with the raw timestamps (absent when none). */
  skew?: string;
}

export interface CriticalSegment {
  spanId: string;
  /** Milliseconds since the trace's start. */
  startMs: number;
  endMs: number;
}

export interface Bar {
  /** Offset and width as percentages of the trace's duration. */
  leftPct: number;
  widthPct: number;
}

export interface WaterfallRow {
  /** Position of the span in depth-first order. */
  index: number;
  span: WaterfallSpan;
  childCount: number;
  collapsed: boolean;
  bar: Bar;
  /** Critical-path segments drawn on this row (its own, plus hidden descendants' when collapsed). */
  critical: Bar[];
  /** Whether any segment of this span itself is on the critical path. */
  onCriticalPath: boolean;
}

export interface WaterfallModel {
  durationMs: number;
  /** Depth-first, as the trace analysis orders them. */
  spans: WaterfallSpan[];
  /** Per span index: index just past its last descendant. */
  subtreeEnd: number[];
  /** Per span index: number of direct children. */
  childCount: number[];
  /** Per span index: index of its parent row, -1 for roots. */
  parent: number[];
  critical: Map<string, CriticalSegment[]>;
}

/**
 * Spans must come in depth-first order with their depth (the order the trace analysis library
 * reports): a span's descendants are the rows after it that are deeper than it.
 */
export function buildWaterfall(spans: WaterfallSpan[], criticalPath: CriticalSegment[], durationMs: number): WaterfallModel {
  const n = spans.length;
  const subtreeEnd = new Array<number>(n).fill(n);
  const childCount = new Array<number>(n).fill(0);
  const parent = new Array<number>(n).fill(-1);
  // One pass with a stack of open ancestors: O(n) however deep the tree is.
  const open: number[] = [];
  for (let i = 0; i < n; i++) {
    const depth = spans[i]!.depth;
    while (open.length && spans[open.at(-1)!]!.depth >= depth) subtreeEnd[open.pop()!] = i;
    if (open.length) {
      parent[i] = open.at(-1)!;
      childCount[open.at(-1)!]!++;
    }
    open.push(i);
  }
  const critical = new Map<string, CriticalSegment[]>();
  for (const segment of criticalPath) {
    const list = critical.get(segment.spanId);
    if (list) list.push(segment);
    else critical.set(segment.spanId, [segment]);
  }
  return { durationMs, spans, subtreeEnd, childCount, parent, critical };
}

export function toBar(startMs: number, durationMs: number, traceMs: number): Bar {
  if (!(traceMs > 0)) return { leftPct: 0, widthPct: 100 };
  const leftPct = Math.min(100, Math.max(0, (startMs / traceMs) * 100));
  const widthPct = Math.min(100 - leftPct, Math.max(0, (durationMs / traceMs) * 100));
  return { leftPct, widthPct };
}

/** The rows to show given the collapsed span ids. O(spans). */
export function visibleRows(model: WaterfallModel, collapsed: ReadonlySet<string>): WaterfallRow[] {
  const rows: WaterfallRow[] = [];
  const segmentsOf = (id: string) => model.critical.get(id) ?? [];
  const bars = (segments: CriticalSegment[]) => segments.map((s) => toBar(s.startMs, s.endMs - s.startMs, model.durationMs));
  for (let i = 0; i < model.spans.length; ) {
    const span = model.spans[i]!;
    const isCollapsed = collapsed.has(span.id) && model.childCount[i]! > 0;
    const own = segmentsOf(span.id);
    const next = isCollapsed ? model.subtreeEnd[i]! : i + 1;
    let drawn = own;
    if (isCollapsed) {
      drawn = [...own];
      for (let j = i + 1; j < next; j++) drawn.push(...segmentsOf(model.spans[j]!.id));
    }
    rows.push({
      index: i,
      span,
      childCount: model.childCount[i]!,
      collapsed: isCollapsed,
      bar: toBar(span.startMs, span.durationMs, model.durationMs),
      critical: bars(drawn),
      onCriticalPath: own.length > 0,
    });
    i = next;
  }
  return rows;
}

/** Share of the track kept free for a label beside a bar (a label is at most this wide). */
const LABEL_ROOM_PCT = 18;

/**
 * Where a bar's duration label goes so that it is never cut off at the track's edge: after the
 * bar when there is room on its right, else before it, else (a bar spanning almost the whole
 * track) inside it at its right end.
 */
export function labelPlacement(bar: Bar): 'after' | 'before' | 'inside' {
  if (bar.leftPct + bar.widthPct <= 100 - LABEL_ROOM_PCT) return 'after';
  if (bar.leftPct >= LABEL_ROOM_PCT) return 'before';
  return 'inside';
}
