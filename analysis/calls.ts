// Calls read by OpenTelemetry conventions, for any instrumented application: whom a client span
// talks to (its callee's service, else peer.service, db.*, messaging.*, rpc.*, server.address),
// whether that callee is instrumented, the arguments that tell an N+1 from retries, whether a call
// failed or timed out, and why a span waited (wait spans and span events). The single-trace report
// and the diagnosis share these rules.
import { isAsyncChild } from './critical-path';
import type { AttributeValue, Span, Trace } from './model';
import { spanIndex } from './model';

/** A span that calls out of its process: a client or a producer. */
export const isCall = (span: Span): boolean => span.kind === 'client' || span.kind === 'producer';

/** The server (or consumer) span a call caused: its instrumented callee, when traced. */
export function calleeOf(call: Span, index: Map<string, Span>): Span | undefined {
  return call.childIds.map((id) => index.get(id)!).find((child) => child.kind === 'server' || child.kind === 'consumer');
}

const text = (value: AttributeValue | undefined): string | undefined =>
  (typeof value === 'string' && value !== '') || typeof value === 'number' ? String(value) : undefined;

/** db.system values that are caches rather than databases (the wording only). */
const CACHE_SYSTEMS = new Set(['redis', 'memcached', 'valkey']);

/** Whom a call talks to. */
export interface CallTarget {
  /** The callee's name: peer.service, the callee span's service, db.system, messaging.system, rpc.service, server.address, the URL's host. */
  name: string;
  /** What it is, in words: "service", "database", "cache", "message broker", "RPC service", "remote service". */
  what: string;
  /** A server or consumer span of the callee is in the trace. */
  instrumented: boolean;
}

function hostOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  const match = /^[a-z][\w+.-]*:\/\/([^/?#]+)/i.exec(url);
  return match?.[1];
}

/** Whom `call` talks to, by the OpenTelemetry conventions (see CallTarget.name for the order). */
export function callTarget(call: Span, index: Map<string, Span>): CallTarget {
  const a = call.attributes;
  const callee = calleeOf(call, index);
  const db = text(a['db.system.name']) ?? text(a['db.system']);
  const messaging = text(a['messaging.system']);
  const rpcService = text(a['rpc.service']);
  const address = text(a['server.address']) ?? text(a['net.peer.name']);
  const name =
    text(a['peer.service']) ??
    callee?.service ??
    db ??
    messaging ??
    rpcService ??
    (address ? `${address}${text(a['server.port']) ? `:${text(a['server.port'])}` : ''}` : undefined) ??
    hostOf(text(a['url.full']) ?? text(a['http.url'])) ??
    'unknown peer';
  const what = callee
    ? 'service'
    : db
      ? CACHE_SYSTEMS.has(db.toLowerCase())
        ? 'cache'
        : 'database'
      : messaging
        ? 'message broker'
        : text(a['rpc.system'])
          ? 'RPC service'
          : 'remote service';
  return { name, what, instrumented: callee !== undefined };
}

/** Attributes that carry what a call asked for (the query, the URL, a key), in order of preference. */
const ARGUMENT_ATTRIBUTES = ['db.query.text', 'db.statement', 'url.full', 'http.url', 'url.query', 'http.target', 'rpc.method'];
/** Attributes named like a key or an id (`cache.key`, `param.driverID`, `user_id`). */
const KEY_ATTRIBUTE = /(^|[._])(key|keys|id|ids)$|[a-z](Id|ID|Key|Keys|Ids|IDs)$/;

/** What a call asked for, as one string (undefined when the span records none): tells repeated calls apart. */
export function callArguments(call: Span): string | undefined {
  const parts = ARGUMENT_ATTRIBUTES.map((key) => text(call.attributes[key])).filter((value) => value !== undefined);
  for (const [key, value] of Object.entries(call.attributes)) {
    if (KEY_ATTRIBUTE.test(key) && !key.startsWith('span') && !key.startsWith('trace')) {
      const value_ = text(value);
      if (value_ !== undefined) parts.push(`${key}=${value_}`);
    }
  }
  return parts.length > 0 ? parts.join(' ') : undefined;
}

/** Error status, an exception event, or a 5xx answer. */
export function isFailed(span: Span): boolean {
  if (span.status.code === 'error' || span.events.some((event) => event.name === 'exception')) return true;
  const status = Number(span.attributes['http.response.status_code'] ?? span.attributes['http.status_code']);
  return Number.isFinite(status) && status >= 500;
}

const TIMEOUT_WORDS = /time[ d-]?out|timed out|deadline|abort|cancel/i;

/**
 * The caller stopped waiting: a failed call whose status or exception says timeout, abort, cancel or
 * deadline; an HTTP call that ended without a response and without an error (cancelled quietly);
 * or a failed call whose callee's server span ran on after it ended (the work continued unheard).
 */
export function isTimedOut(call: Span, index: Map<string, Span>): boolean {
  if (!isCall(call)) return false;
  const a = call.attributes;
  const http = a['http.request.method'] ?? a['http.method'];
  const answered = a['http.response.status_code'] ?? a['http.status_code'];
  if (call.kind === 'client' && http !== undefined && answered === undefined && !isFailed(call)) return true;
  const said = [
    call.status.message ?? '',
    ...call.events
      .filter((e) => e.name === 'exception')
      .map((e) => `${e.attributes['exception.type']} ${e.attributes['exception.message']}`),
  ];
  if (isFailed(call) && said.some((words) => TIMEOUT_WORDS.test(words))) return true;
  const callee = calleeOf(call, index);
  return callee !== undefined && callee.kind === 'server' && isFailed(call) && callee.endNs > call.endNs + 1e6;
}

/** Words that say a span or event is about waiting: locks, pools, queues, back-off. */
const WAIT_WORDS =
  /\b(wait\w*|lock\w*|queue\w*|queuing|pool\w*|backoff|back off|throttl\w*|contention|contended|acquir\w*|semaphore|mutex|blocked|sleep\w*)\b/i;
const wordsOf = (name: string) => name.replace(/[._\-/:]+/g, ' ');

/** An internal span that stands for waiting (e.g. `db.pool.acquire`, `model.lock.wait`). */
export const isWaitSpan = (span: Span): boolean => !isCall(span) && span.kind !== 'server' && WAIT_WORDS.test(wordsOf(span.name));

/** The first span event that says why the span waited (e.g. "Waiting for lock behind 3 transactions"), as text. */
export function waitEvent(span: Span): string | undefined {
  for (const event of span.events) {
    if (event.name === 'exception') continue;
    const values = Object.values(event.attributes)
      .map(text)
      .filter((value) => value !== undefined);
    if (WAIT_WORDS.test(wordsOf(event.name)) || values.some((value) => WAIT_WORDS.test(value))) {
      const detail = values.filter((value) => value !== event.name).join(', ');
      return detail ? `${event.name} (${detail})` : event.name;
    }
  }
  return undefined;
}

/** Calls repeated under one parent to the same operation of the same target. */
export interface RepeatedCalls {
  parent: Span;
  /** The calls, by start time. */
  calls: Span[];
  service: string;
  operation: string;
  target: CallTarget;
  /** Calls made right after the previous one of the group failed or timed out: retries. The other repeats are fan-out. */
  afterFailure: number;
  /** Those retries (the time before them is a back-off, not a wait for a pool or a lock). */
  retries: Span[];
  /** Distinct arguments among the calls (0 when the spans record none). */
  distinctArguments: number;
}

/** Every group of two or more calls under one parent to the same operation of the same target. */
export function repeatedCalls(trace: Trace): RepeatedCalls[] {
  const index = spanIndex(trace);
  const result: RepeatedCalls[] = [];
  for (const parent of trace.spans) {
    const groups = new Map<string, { calls: Span[]; target: CallTarget }>();
    for (const id of parent.childIds) {
      const call = index.get(id)!;
      if (!isCall(call)) continue;
      const target = callTarget(call, index);
      const key = JSON.stringify([call.service, call.name, target.name]);
      const group = groups.get(key);
      if (group) group.calls.push(call);
      else groups.set(key, { calls: [call], target });
    }
    for (const { calls, target } of groups.values()) {
      if (calls.length < 2) continue;
      const retries: Span[] = [];
      for (let i = 1; i < calls.length; i++) {
        const previous = calls[i - 1]!;
        if (previous.endNs <= calls[i]!.startNs + 1e6 && (isFailed(previous) || isTimedOut(previous, index))) retries.push(calls[i]!);
      }
      const args = calls.map(callArguments).filter((value) => value !== undefined);
      result.push({
        parent,
        calls,
        service: calls[0]!.service,
        operation: calls[0]!.name,
        target,
        afterFailure: retries.length,
        retries,
        distinctArguments: new Set(args).size,
      });
    }
  }
  return result;
}

/** Time a parent spent before a call started, with nothing else of it running (ns, 0 when none). */
export interface WaitBeforeCall {
  parent: Span;
  call: Span;
  waitNs: number;
}

/**
 * For every call: the time between its parent's start (or the end of the parent's previous child)
 * and the call's start, when no other child of the parent was running. Time a parent spends before
 * a call starts is a queue, a pool or a lock in the caller, not time on the wire.
 */
export function waitsBeforeCalls(trace: Trace): WaitBeforeCall[] {
  const index = spanIndex(trace);
  const result: WaitBeforeCall[] = [];
  for (const parent of trace.spans) {
    const children = parent.childIds.map((id) => index.get(id)!);
    for (const call of children) {
      // A message sent after the response is not waited for: the time before it held nothing up.
      if (!isCall(call) || isAsyncChild(call, parent)) continue;
      let cursor = parent.startNs;
      for (const sibling of children) {
        if (sibling === call || sibling.startNs > call.startNs) continue;
        cursor = Math.max(cursor, Math.min(sibling.endNs, call.startNs));
      }
      result.push({ parent, call, waitNs: Math.max(0, call.startNs - cursor) });
    }
  }
  return result;
}
