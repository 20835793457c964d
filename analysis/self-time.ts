// Self time: the part of a span's duration not covered by any of its children.
import type { Span, Trace } from './model';
import { spanIndex } from './model';

/** Total length of the union of [start, end) intervals. */
export function unionLength(intervals: [number, number][]): number {
  const sorted = intervals.filter(([start, end]) => end > start).sort((a, b) => a[0] - b[0]);
  let total = 0;
  let cursor = Number.NEGATIVE_INFINITY;
  for (const [start, end] of sorted) {
    const from = Math.max(start, cursor);
    if (end > from) total += end - from;
    cursor = Math.max(cursor, end);
  }
  return total;
}

/**
 * Self time of every span in ns: its duration minus the union of its children, each clipped to the
 * span (a child running past its parent's end, or an async consumer after it, does not count).
 */
export function selfTimes(trace: Trace): Map<string, number> {
  const index = spanIndex(trace);
  const result = new Map<string, number>();
  for (const span of trace.spans) {
    const covered = unionLength(
      span.childIds.map((id) => {
        const child = index.get(id) as Span;
        return [Math.max(child.startNs, span.startNs), Math.min(child.endNs, span.endNs)];
      }),
    );
    result.set(span.spanId, span.durationNs - covered);
  }
  return result;
}
