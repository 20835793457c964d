// The waterfall's layout without a browser: tree bookkeeping from depth-first rows, bars to
// scale, collapsing, and the critical path drawn over rows (hidden descendants' segments move
// onto the collapsed row).
import { describe, expect, it } from 'vitest';
import { buildWaterfall, labelPlacement, toBar, visibleRows, type WaterfallSpan } from '../../../console/web/src/model/waterfall';

const span = (id: string, depth: number, startMs: number, durationMs: number, service = 'gateway'): WaterfallSpan => ({
  id,
  depth,
  service,
  operation: `op-${id}`,
  startMs,
  durationMs,
  error: false,
});

// root(0-100) ─┬─ a(10-60) ── a1(20-50)
//              └─ b(70-95)
// orphan(30-40) at depth 0 after the first tree
const SPANS = [
  span('root', 0, 0, 100),
  span('a', 1, 10, 50),
  span('a1', 2, 20, 30, 'model-inference'),
  span('b', 1, 70, 25),
  span('orphan', 0, 30, 10),
];
const CRITICAL = [
  { spanId: 'root', startMs: 95, endMs: 100 },
  { spanId: 'b', startMs: 70, endMs: 95 },
  { spanId: 'root', startMs: 60, endMs: 70 },
  { spanId: 'a', startMs: 50, endMs: 60 },
  { spanId: 'a1', startMs: 20, endMs: 50 },
  { spanId: 'a', startMs: 10, endMs: 20 },
  { spanId: 'root', startMs: 0, endMs: 10 },
];

describe('buildWaterfall', () => {
  it('derives parents, child counts and subtree ends from depth-first rows', () => {
    const model = buildWaterfall(SPANS, CRITICAL, 100);
    expect(model.parent).toEqual([-1, 0, 1, 0, -1]);
    expect(model.childCount).toEqual([2, 1, 0, 0, 0]);
    expect(model.subtreeEnd).toEqual([4, 3, 3, 4, 5]);
  });

  it('handles a 5,000-deep chain without recursion', () => {
    const chain = Array.from({ length: 5000 }, (_, i) => span(`s${i}`, i, i / 100, 100 - i / 100));
    const model = buildWaterfall(chain, [], 100);
    expect(model.subtreeEnd[0]).toBe(5000);
    expect(model.parent[4999]).toBe(4998);
    expect(visibleRows(model, new Set(['s2'])).length).toBe(3);
  });
});

describe('visibleRows', () => {
  it('draws every span to scale with its own critical-path segments', () => {
    const rows = visibleRows(buildWaterfall(SPANS, CRITICAL, 100), new Set());
    expect(rows.map((r) => r.span.id)).toEqual(['root', 'a', 'a1', 'b', 'orphan']);
    const a = rows[1]!;
    expect(a.bar).toEqual({ leftPct: 10, widthPct: 50 });
    expect(a.onCriticalPath).toBe(true);
    expect(a.critical).toEqual([
      { leftPct: 50, widthPct: 10 },
      { leftPct: 10, widthPct: 10 },
    ]);
    expect(rows[4]!.onCriticalPath).toBe(false);
    expect(rows[4]!.critical).toEqual([]);
  });

  it('hides a collapsed span’s descendants and draws their critical segments on it', () => {
    const rows = visibleRows(buildWaterfall(SPANS, CRITICAL, 100), new Set(['a']));
    expect(rows.map((r) => r.span.id)).toEqual(['root', 'a', 'b', 'orphan']);
    const a = rows[1]!;
    expect(a.collapsed).toBe(true);
    expect(a.critical).toContainEqual({ leftPct: 20, widthPct: 30 }); // a1's segment
    expect(a.critical).toHaveLength(3);
  });

  it('ignores a collapse request on a leaf', () => {
    const rows = visibleRows(buildWaterfall(SPANS, CRITICAL, 100), new Set(['b']));
    expect(rows.find((r) => r.span.id === 'b')!.collapsed).toBe(false);
  });
});

describe('toBar', () => {
  it('clips bars to the trace', () => {
    expect(toBar(-5, 10, 100)).toEqual({ leftPct: 0, widthPct: 10 });
    expect(toBar(90, 50, 100)).toEqual({ leftPct: 90, widthPct: 10 });
    expect(toBar(0, 0, 0)).toEqual({ leftPct: 0, widthPct: 100 });
  });
});

describe('duration labels', () => {
  it('go after the bar, before it near the right edge, inside a bar that fills the track', () => {
    expect(labelPlacement({ leftPct: 10, widthPct: 30 })).toBe('after');
    expect(labelPlacement({ leftPct: 60, widthPct: 39 })).toBe('before');
    expect(labelPlacement({ leftPct: 97, widthPct: 0 })).toBe('before');
    expect(labelPlacement({ leftPct: 0, widthPct: 100 })).toBe('inside');
    expect(labelPlacement({ leftPct: 5, widthPct: 90 })).toBe('inside');
  });
});
