// The critical path: the chain of span segments that decided when the trace ended, following the
// rules Jaeger UI uses (see docs/why.md for the rules, and where this code differs from Jaeger UI).
import type { Span, Trace } from './model';
import { spanIndex } from './model';

/** A piece of one span's own time that lies on the critical path. Times in ns from the trace start. */
export interface CriticalSegment {
  spanId: string;
  startNs: number;
  endNs: number;
}

/**
 * A child that is not waited for: a consumer under a producer, a follows-from child (fire and
 * forget), or a message its own service sent that ended after its parent (nobody waited for the
 * broker's acknowledgement: sent "after the response"; one process, one clock, so not skew).
 */
export function isAsyncChild(child: Span, parent: Span): boolean {
  return (
    child.relation === 'follows_from' ||
    (child.kind === 'consumer' && parent.kind === 'producer') ||
    (child.kind === 'producer' && child.service === parent.service && child.endNs > parent.endNs)
  );
}

/**
 * Siblings that overlap by less than this still count as one after the other. SDKs that record
 * span starts to the millisecond (OpenTelemetry JS) make a span that began right after its
 * sibling ended look as if it began up to 1 ms before: by the strict rule the earlier sibling,
 * e.g. a call cut at its budget before the fallback, would drop off the path.
 */
export const SEQUENTIAL_OVERLAP_NS = 1e6;

interface Clipped {
  span: Span;
  start: number;
  end: number;
  children: Clipped[];
}

/**
 * Parent first: drops async children and children wholly outside their (clipped) parent, each with
 * its subtree, and clips the rest to the parent's range. Children come out last-finishing first
 * (on equal ends, the earlier start first).
 */
function clipTree(root: Span, index: Map<string, Span>): Clipped {
  const top: Clipped = { span: root, start: root.startNs, end: root.endNs, children: [] };
  const stack = [top];
  while (stack.length > 0) {
    const node = stack.pop()!;
    for (const childId of node.span.childIds) {
      const child = index.get(childId)!;
      if (isAsyncChild(child, node.span)) continue;
      if (child.endNs < node.start || child.startNs > node.end) continue;
      const clipped = { span: child, start: Math.max(child.startNs, node.start), end: Math.min(child.endNs, node.end), children: [] };
      node.children.push(clipped);
      stack.push(clipped);
    }
    node.children.sort((a, b) => b.end - a.end || a.start - b.start);
  }
  return top;
}

/**
 * Critical path of the tree under one root, in time order. Walking back from the root's end: take
 * the last-finishing child, the parent owns the time after that child's end; after returning from
 * a child only children ending before that child's start are eligible (or overlapping it by less
 * than SEQUENTIAL_OVERLAP_NS, and then cut at that start); with none left, the parent owns the
 * time back to its own start. Iterative, so a deep trace cannot overflow the stack.
 */
export function criticalPathOfRoot(root: Span, index: Map<string, Span>): CriticalSegment[] {
  const reversed: CriticalSegment[] = [];
  const push = (span: Span, startNs: number, endNs: number) => {
    if (endNs > startNs) reversed.push({ spanId: span.spanId, startNs, endNs });
  };
  interface Frame {
    node: Clipped;
    /** Where the time not yet attributed ends. */
    cursor: number;
    next: number;
  }
  const stack: Frame[] = [{ node: clipTree(root, index), cursor: root.endNs, next: 0 }];
  while (stack.length > 0) {
    const frame = stack[stack.length - 1]!;
    const { children } = frame.node;
    // The first child is the last-finishing one (clipped, so it ends within the parent); later
    // ones must end before the start of the child taken before them, give or take the overlap.
    // A child starting at or after the cursor has no time left to own (its parent was cut short).
    const ineligible = (c: Clipped) => c.start >= frame.cursor || (frame.next > 0 && c.end >= frame.cursor + SEQUENTIAL_OVERLAP_NS);
    while (frame.next < children.length && ineligible(children[frame.next]!)) frame.next++;
    const child = children[frame.next];
    if (child) {
      frame.next++;
      const end = Math.min(child.end, frame.cursor);
      push(frame.node.span, end, frame.cursor);
      frame.cursor = child.start;
      stack.push({ node: child, cursor: end, next: 0 });
    } else {
      push(frame.node.span, frame.node.start, frame.cursor);
      stack.pop();
    }
  }
  return reversed.reverse();
}

/** Critical path of the whole trace: each root's (orphans included) computed separately, in time order. */
export function criticalPath(trace: Trace): CriticalSegment[] {
  const index = spanIndex(trace);
  return trace.roots
    .flatMap((rootId) => criticalPathOfRoot(index.get(rootId)!, index))
    .sort((a, b) => a.startNs - b.startNs || a.endNs - b.endNs);
}
