// What a trace's spans say besides time: where errors start, fallbacks, retries told apart from
// N+1 fan-outs, waits (before calls, in wait spans, in span events) and calls to uninstrumented
// dependencies. Part of the `npm run why` report (report.ts); read by OpenTelemetry conventions.
import { callTarget, isCall, isWaitSpan, repeatedCalls, waitEvent, waitsBeforeCalls } from './calls';
import type { Span, StatusCode, Trace } from './model';
import { spanIndex } from './model';

/** The span attribute in which the gateway names why it used the fallback rules. */
export const FALLBACK_REASON_ATTRIBUTE = 'tracelab.fallback.reason';

/** ns → ms with microsecond precision. */
export const ms = (ns: number) => Math.round(ns / 1e3) / 1e3;

export interface ErrorNote {
  span_id: string;
  service: string;
  operation: string;
  /** Exception type and message, or the status message. */
  message: string;
  /** True for an error with no erroring span beneath it: where the failure started. */
  origin: boolean;
}

export interface FallbackNote {
  span_id: string;
  service: string;
  operation: string;
  reason: string;
  /** The client span that failed just before the fallback, if found. */
  failed_call?: { span_id: string; peer: string; duration_ms: number; status: StatusCode };
  /** Who the fallback asked instead: the peer of the first client span under it. */
  fallback_to?: string;
}

export interface RetryNote {
  parent_span_id: string;
  service: string;
  operation: string;
  peer: string;
  attempts: number;
}

/** Calls repeated under one parent with no failure before a repeat: an N+1 when the arguments differ. */
export interface FanOutNote {
  parent_span_id: string;
  service: string;
  operation: string;
  peer: string;
  calls: number;
  /** Distinct arguments among the calls (db statement, URL, key); 0 when the spans record none. */
  distinct_arguments: number;
  /** Each call started after the previous one ended. */
  sequential: boolean;
  total_ms: number;
}

/** Time a parent spent before a call started, with nothing else of it running. */
export interface WaitNote {
  parent_span_id: string;
  service: string;
  operation: string;
  call_span_id: string;
  peer: string;
  wait_ms: number;
}

/** A wait span (lock, pool, queue…) or a span event that says why a span waited. */
export interface WaitSpanNote {
  span_id: string;
  service: string;
  operation: string;
  duration_ms: number;
  /** The event that says why (absent for a wait span without one). */
  event?: string;
}

/** Calls to one dependency that has no server span in the trace (a database, cache or service not instrumented). */
export interface DependencyNote {
  peer: string;
  /** The services that call it. */
  callers: string[];
  /** "database", "cache", "message broker", "RPC service", "remote service" or "service" (a traced service whose span is missing). */
  what: string;
  calls: number;
  total_ms: number;
  operations: string[];
  /** The client spans of these calls (to open them). */
  span_ids: string[];
}

/** Whom a call talks to, by name (analysis/calls.ts has the conventions). */
export const peerOf = (span: Span, index: Map<string, Span>): string => callTarget(span, index).name;

/** True when `span` is `ancestor` or sits beneath it. */
function isWithin(span: Span, ancestor: Span, index: Map<string, Span>): boolean {
  for (let current: Span | undefined = span; current; current = current.parentId ? index.get(current.parentId) : undefined) {
    if (current === ancestor) return true;
  }
  return false;
}

function errorMessage(span: Span): string {
  const exception = span.events.find((event) => event.name === 'exception');
  if (exception) {
    const type = exception.attributes['exception.type'];
    const message = exception.attributes['exception.message'];
    return [type, message].filter((part) => part !== undefined && part !== null && part !== '').join(': ') || 'exception';
  }
  return span.status.message || 'status ERROR';
}

export function errorsOf(trace: Trace): ErrorNote[] {
  const failing = trace.spans.filter((span) => span.status.code === 'error' || span.events.some((event) => event.name === 'exception'));
  const failingIds = new Set(failing.map((span) => span.spanId));
  // Reverse depth-first order visits children before their parents.
  const failingBelow = new Set<string>();
  for (const span of [...trace.spans].reverse()) {
    if (span.childIds.some((id) => failingIds.has(id) || failingBelow.has(id))) failingBelow.add(span.spanId);
  }
  return failing.map((span) => ({
    span_id: span.spanId,
    service: span.service,
    operation: span.name,
    message: errorMessage(span),
    origin: !failingBelow.has(span.spanId),
  }));
}

export function fallbacksOf(trace: Trace, index: Map<string, Span>): FallbackNote[] {
  return trace.spans
    .filter((span) => span.attributes[FALLBACK_REASON_ATTRIBUTE] !== undefined)
    .map((span) => {
      // The failed call is the last client span under the same parent that started before the fallback
      // did (its span may end a moment after the fallback starts: the client instrumentation ends it
      // when the failed answer's body is read).
      const siblings = span.parentId ? index.get(span.parentId)!.childIds.map((id) => index.get(id)!) : [];
      const failed = siblings.filter((s) => s.kind === 'client' && s.startNs < span.startNs).sort((a, b) => b.startNs - a.startNs)[0];
      const asked = trace.spans.find((s) => s.kind === 'client' && s.parentId !== undefined && isWithin(s, span, index));
      return {
        span_id: span.spanId,
        service: span.service,
        operation: span.name,
        reason: String(span.attributes[FALLBACK_REASON_ATTRIBUTE]),
        ...(asked ? { fallback_to: peerOf(asked, index) } : {}),
        ...(failed
          ? {
              failed_call: {
                span_id: failed.spanId,
                peer: peerOf(failed, index),
                duration_ms: ms(failed.durationNs),
                status: failed.status.code,
              },
            }
          : {}),
      };
    });
}

/** Repeated calls told apart: retries (after a failure) and fan-outs (no failure before a repeat). */
export function repeatsOf(trace: Trace): { retries: RetryNote[]; fan_outs: FanOutNote[] } {
  const retries: RetryNote[] = [];
  const fanOuts: FanOutNote[] = [];
  for (const group of repeatedCalls(trace)) {
    const base = { parent_span_id: group.parent.spanId, service: group.service, operation: group.operation, peer: group.target.name };
    // A group can hold both: an N+1 of lookups where one failed and was tried again.
    if (group.afterFailure > 0) retries.push({ ...base, attempts: group.afterFailure + 1 });
    const fannedOut = group.calls.length - group.afterFailure;
    if (fannedOut >= 2)
      fanOuts.push({
        ...base,
        calls: fannedOut,
        distinct_arguments: group.distinctArguments,
        sequential: group.calls.every((call, i) => i === 0 || call.startNs >= group.calls[i - 1]!.endNs),
        total_ms: ms(group.calls.reduce((sum, call) => sum + call.durationNs, 0)),
      });
  }
  return { retries, fan_outs: fanOuts };
}

/** Waits before calls worth a line: at least 1 ms and 5 % of the trace. */
export function waitsOf(trace: Trace): WaitNote[] {
  const index = spanIndex(trace);
  // The time before a retry is its back-off, told with the retries.
  const retries = new Set(repeatedCalls(trace).flatMap((group) => group.retries.map((call) => call.spanId)));
  return waitsBeforeCalls(trace)
    .filter((wait) => wait.waitNs >= Math.max(1e6, 0.05 * trace.durationNs) && !retries.has(wait.call.spanId))
    .map((wait) => ({
      parent_span_id: wait.parent.spanId,
      service: wait.parent.service,
      operation: wait.parent.name,
      call_span_id: wait.call.spanId,
      peer: callTarget(wait.call, index).name,
      wait_ms: ms(wait.waitNs),
    }));
}

/** Wait spans and spans whose events say why they waited. */
export function waitSpansOf(trace: Trace): WaitSpanNote[] {
  return trace.spans
    .map((span) => ({ span, event: waitEvent(span) }))
    .filter(({ span, event }) => event !== undefined || isWaitSpan(span))
    .map(({ span, event }) => ({
      span_id: span.spanId,
      service: span.service,
      operation: span.name,
      duration_ms: ms(span.durationNs),
      ...(event ? { event } : {}),
    }));
}

/** Calls with no server span under them, grouped by whom they call, most calls first. */
export function dependenciesOf(trace: Trace): DependencyNote[] {
  const index = spanIndex(trace);
  const groups = new Map<string, DependencyNote>();
  for (const span of trace.spans) {
    if (!isCall(span) || span.kind !== 'client') continue;
    const target = callTarget(span, index);
    if (target.instrumented) continue;
    const group = groups.get(target.name) ?? {
      peer: target.name,
      callers: [],
      what: target.what,
      calls: 0,
      total_ms: 0,
      operations: [],
      span_ids: [],
    };
    group.calls++;
    group.span_ids.push(span.spanId);
    if (!group.callers.includes(span.service)) group.callers.push(span.service);
    group.total_ms = ms(group.total_ms * 1e6 + span.durationNs);
    if (!group.operations.includes(span.name)) group.operations.push(span.name);
    groups.set(target.name, group);
  }
  return [...groups.values()].sort((a, b) => b.calls - a.calls || a.peer.localeCompare(b.peer));
}
