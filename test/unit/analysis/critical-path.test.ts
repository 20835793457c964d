import { describe, expect, it } from 'vitest';
import { analyzeTrace, normalizeJaegerTrace } from '../../../analysis';
import { idOf, pathOf, reportOf, TRACE_ID } from './fixtures';

describe('the critical path (Jaeger UI rules)', () => {
  it('nested spans: down into the child, the parent owns the time around it', () => {
    const report = reportOf([
      { id: 'root', start: 0, end: 100 },
      { id: 'child', parent: 'root', start: 10, end: 90 },
      { id: 'grandchild', parent: 'child', start: 20, end: 80 },
    ]);
    expect(pathOf(report)).toEqual([
      ['root', 0, 10],
      ['child', 10, 20],
      ['grandchild', 20, 80],
      ['child', 80, 90],
      ['root', 90, 100],
    ]);
    expect(report.critical_path_ms).toBe(100);
  });

  it('sequential siblings are both on the path, the gaps belong to the parent', () => {
    const report = reportOf([
      { id: 'root', start: 0, end: 100 },
      { id: 'a', parent: 'root', start: 10, end: 40 },
      { id: 'b', parent: 'root', start: 50, end: 90 },
    ]);
    expect(pathOf(report)).toEqual([
      ['root', 0, 10],
      ['a', 10, 40],
      ['root', 40, 50],
      ['b', 50, 90],
      ['root', 90, 100],
    ]);
  });

  it('parallel siblings: only the last-finishing one; the other ran in its shadow', () => {
    const report = reportOf([
      { id: 'root', start: 0, end: 100 },
      { id: 'fast', parent: 'root', start: 10, end: 30 },
      { id: 'slow', parent: 'root', start: 10, end: 90 },
    ]);
    expect(pathOf(report)).toEqual([
      ['root', 0, 10],
      ['slow', 10, 90],
      ['root', 90, 100],
    ]);
  });

  it('overlapping siblings: the overlap is charged to the parent, the earlier sibling is off the path', () => {
    const report = reportOf([
      { id: 'root', start: 0, end: 100 },
      { id: 'a', parent: 'root', start: 10, end: 60 },
      { id: 'b', parent: 'root', start: 40, end: 90 },
    ]);
    expect(pathOf(report)).toEqual([
      ['root', 0, 40],
      ['b', 40, 90],
      ['root', 90, 100],
    ]);
    expect(report.spans.find((s) => s.operation === 'a')!.on_critical_path).toBe(false);
  });

  it('only children ending before the returned child started are eligible, give or take 1 ms', () => {
    // "first" ends where "touching" starts: one after the other (Jaeger UI's strict rule would
    // give the parent 0-50). The JS SDK records starts to the ms, so a sibling that began right
    // after another ended can look up to 1 ms earlier: "first" still counts, cut at 49.4.
    for (const touchingStart of [50, 49.4]) {
      const report = reportOf([
        { id: 'root', start: 0, end: 100 },
        { id: 'first', parent: 'root', start: 10, end: 50 },
        { id: 'touching', parent: 'root', start: touchingStart, end: 90 },
      ]);
      expect(pathOf(report)).toEqual([
        ['root', 0, 10],
        ['first', 10, touchingStart],
        ['touching', touchingStart, 90],
        ['root', 90, 100],
      ]);
    }
    // Overlapping by more than that, "first" ran beside "touching": the parent owns 0-48.
    const overlapping = reportOf([
      { id: 'root', start: 0, end: 100 },
      { id: 'first', parent: 'root', start: 10, end: 50 },
      { id: 'touching', parent: 'root', start: 48, end: 90 },
    ]);
    expect(pathOf(overlapping)).toEqual([
      ['root', 0, 48],
      ['touching', 48, 90],
      ['root', 90, 100],
    ]);
  });

  it('on equal end times the earlier start wins', () => {
    const report = reportOf([
      { id: 'root', start: 0, end: 100 },
      { id: 'late', parent: 'root', start: 60, end: 80 },
      { id: 'early', parent: 'root', start: 20, end: 80 },
    ]);
    expect(pathOf(report)).toEqual([
      ['root', 0, 20],
      ['early', 20, 80],
      ['root', 80, 100],
    ]);
  });

  it('a child that outlives its parent is clipped to the parent, and so are its own children', () => {
    const report = reportOf([
      { id: 'root', start: 0, end: 100 },
      { id: 'outliver', parent: 'root', start: 50, end: 150 },
      { id: 'inner', parent: 'outliver', start: 60, end: 140 },
      { id: 'after', parent: 'outliver', start: 120, end: 130 },
    ]);
    expect(pathOf(report)).toEqual([
      ['root', 0, 50],
      ['outliver', 50, 60],
      ['inner', 60, 100],
    ]);
    expect(report.spans.find((s) => s.operation === 'after')!.on_critical_path).toBe(false);
  });

  it('a child wholly outside its parent is dropped with its subtree', () => {
    const report = reportOf([
      { id: 'root', start: 0, end: 100 },
      { id: 'outside', parent: 'root', start: 120, end: 150 },
      { id: 'below', parent: 'outside', start: 125, end: 140 },
    ]);
    expect(pathOf(report)).toEqual([['root', 0, 100]]);
    // The trace still lasts until the last span ends; the critical path covers the root only.
    expect(report.duration_ms).toBe(150);
    expect(report.critical_path_ms).toBe(100);
  });

  it('an orphan (parent missing from the trace) becomes an extra root with its own path, and is reported', () => {
    const report = reportOf([
      { id: 'root', start: 0, end: 100 },
      { id: 'orphan', parent: 'missing', start: 20, end: 50 },
      { id: 'orphan-child', parent: 'orphan', start: 30, end: 40 },
    ]);
    expect(report.roots).toEqual([idOf('root'), idOf('orphan')]);
    expect(report.orphans).toEqual([idOf('orphan')]);
    expect(report.spans.find((s) => s.span_id === idOf('orphan'))).toMatchObject({
      orphan: true,
      depth: 0,
      parent_span_id: idOf('missing'),
    });
    expect(report.spans.find((s) => s.span_id === idOf('orphan'))!.parent_id).toBeUndefined();
    expect(pathOf(report)).toEqual([
      ['root', 0, 100],
      ['orphan', 20, 30],
      ['orphan-child', 30, 40],
      ['orphan', 40, 50],
    ]);
    expect(report.warnings.join('\n')).toMatch(/parent that is not in the trace/);
    expect(report.verdict).toMatch(/1 span\(s\) lost their parent/);
  });

  it('an async consumer under a producer is not waited for: off the path, with its subtree', () => {
    const report = reportOf([
      { id: 'root', kind: 'server', start: 0, end: 100 },
      { id: 'send', parent: 'root', kind: 'producer', start: 10, end: 20 },
      { id: 'consume', parent: 'send', kind: 'consumer', service: 'worker', start: 15, end: 200 },
      { id: 'work', parent: 'consume', service: 'worker', start: 16, end: 190 },
    ]);
    expect(pathOf(report)).toEqual([
      ['root', 0, 10],
      ['send', 10, 20],
      ['root', 20, 100],
    ]);
    expect(report.spans.find((s) => s.operation === 'consume')).toMatchObject({ async: true, on_critical_path: false });
  });

  it('a message sent after the response is not waited for: off the path, and not clock skew', () => {
    const report = reportOf([
      { id: 'root', kind: 'server', start: 0, end: 100 },
      { id: 'call', parent: 'root', kind: 'client', start: 0, end: 90 },
      { id: 'publish', parent: 'root', kind: 'producer', start: 100, end: 103 },
    ]);
    expect(pathOf(report)).toEqual([
      ['call', 0, 90],
      ['root', 90, 100],
    ]);
    expect(report.spans.find((s) => s.operation === 'publish')).toMatchObject({ async: true, on_critical_path: false });
    expect(report.warnings.join('\n')).not.toMatch(/skew/);
    // The time between the call's end and the publish held nothing up: no wait before it.
    expect(report.waits).toEqual([]);
    expect(report.verdict).not.toMatch(/waited/);
  });

  it('a message sent and waited for (it ends within its parent) stays on the path', () => {
    const report = reportOf([
      { id: 'root', kind: 'server', start: 0, end: 100 },
      { id: 'publish', parent: 'root', kind: 'producer', start: 80, end: 95 },
    ]);
    expect(pathOf(report)).toEqual([
      ['root', 0, 80],
      ['publish', 80, 95],
      ['root', 95, 100],
    ]);
  });

  it('a follows-from child (legacy Jaeger reference) is not waited for either', () => {
    const span = (id: string, start: number, duration: number, references: unknown[] = []) => ({
      traceID: TRACE_ID,
      spanID: idOf(id),
      operationName: id,
      references,
      startTime: 1_764_100_000_000_000 + start * 1000,
      duration: duration * 1000,
      tags: [],
      logs: [],
      processID: 'p1',
    });
    const trace = normalizeJaegerTrace({
      data: [
        {
          traceID: TRACE_ID,
          processes: { p1: { serviceName: 'svc', tags: [] } },
          spans: [
            span('root', 0, 100),
            span('sync', 10, 20, [{ refType: 'CHILD_OF', traceID: TRACE_ID, spanID: idOf('root') }]),
            span('later', 40, 50, [{ refType: 'FOLLOWS_FROM', traceID: TRACE_ID, spanID: idOf('root') }]),
          ],
        },
      ],
    });
    const report = analyzeTrace(trace);
    expect(report.spans.find((s) => s.operation === 'later')).toMatchObject({
      async: true,
      parent_id: idOf('root'),
      on_critical_path: false,
    });
    expect(pathOf(report)).toEqual([
      ['root', 0, 10],
      ['sync', 10, 30],
      ['root', 30, 100],
    ]);
  });

  it('segments tile the root exactly: the shares sum to 100 % and none exceeds it', () => {
    const report = reportOf([
      { id: 'root', service: 'gw', start: 0, end: 100 },
      { id: 'a', parent: 'root', service: 'x', start: 5, end: 95 },
      { id: 'b', parent: 'root', service: 'x', start: 5, end: 95 },
      { id: 'c', parent: 'a', service: 'y', start: 10, end: 90 },
    ]);
    const shares = report.self_time.map((row) => row.share);
    expect(shares.every((share) => share >= 0 && share <= 1)).toBe(true);
    expect(shares.reduce((sum, share) => sum + share, 0)).toBeCloseTo(1, 6);
    const tiled = report.critical_path.reduce((sum, entry) => sum + entry.duration_ms, 0);
    expect(tiled).toBeCloseTo(100, 6);
    for (let i = 1; i < report.critical_path.length; i++) {
      const previous = report.critical_path[i - 1]!;
      expect(report.critical_path[i]!.start_ms).toBeCloseTo(previous.start_ms + previous.duration_ms, 6);
    }
  });
});
