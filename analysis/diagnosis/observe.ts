// What the diagnosis measures in the traces of one period, before comparing periods: per
// operation, call, hop, dependency and root, the samples each detector compares. Read by
// OpenTelemetry conventions only (analysis/calls.ts): span kind, parents, status, events, db.*,
// peer.service, server.address, service.version and version-like attributes.
import {
  calleeOf,
  callTarget,
  isCall,
  isFailed,
  isTimedOut,
  isWaitSpan,
  repeatedCalls,
  type WaitBeforeCall,
  waitEvent,
  waitsBeforeCalls,
} from '../calls';
import type { Span, Trace } from '../model';
import { spanIndex } from '../model';
import { selfTimes } from '../self-time';

/** One measurement and the trace it came from (evidence). */
export interface Sample {
  value: number;
  trace: Trace;
}

/** Samples of one thing (an operation, a call, a hop), named by service and operation. */
export interface Series {
  service: string;
  operation: string;
  /** The other end, where one applies: the callee of a call, the caller of a hop. */
  peer?: string;
  /** What the peer is in words ("database", "service", …) for dependencies. */
  what?: string;
  samples: Sample[];
}

export interface CallCounts {
  service: string;
  operation: string;
  target: string;
  /** Calls per trace (traces without the call count as 0 through `tracesWith`). */
  calls: number;
  /** Calls beyond the first in groups with no failure before the repeat (N+1). */
  fanOutRepeats: number;
  /** Fan-out groups and how many of them had different arguments per call, or ran one after another. */
  fanOutGroups: number;
  distinctArgumentGroups: number;
  sequentialGroups: number;
  /** Calls made right after a failed call of the same group (retries), and the traces showing them. */
  retries: Sample[];
  /** The trace with the largest group (evidence). */
  largest?: Sample;
}

export interface ErrorCounts {
  service: string;
  operation: string;
  spans: number;
  /** Spans that failed with nothing failing beneath them: where errors start. */
  origins: Sample[];
  /** Of those, how many traces' entry span failed too (the error reached the user). */
  reachedEntry: number;
  message?: string;
}

export interface RootCounts {
  service: string;
  kind: string;
  operation: string;
  /** Traces where a span of this key is a root or an orphan. */
  asRoot: Sample[];
  /** Spans of this key with a parent in the trace, by the parent's service. */
  parents: Map<string, number>;
}

export interface Observations {
  traces: Trace[];
  /** Traces in which each service has a span. */
  tracesWith: Map<string, number>;
  /** The first root span of each trace, as "service › operation". */
  entryOf: Map<Trace, string>;
  /** Self time (ms) of every span that is neither a call nor a wait, less its waits before calls. */
  selfTime: Map<string, Series>;
  /** Duration (ms) of wait spans (lock, pool, queue…). */
  waitSpans: Map<string, Series>;
  /** Spans with an event that says why they waited: value 1 with, 0 without, per span of the operation. */
  waitEvents: Map<string, Series & { example?: string }>;
  /** Time (ms) a parent spent before starting a call. */
  waitsBeforeCalls: Map<string, Series>;
  /** Client start → server start (ms), per server operation and caller. */
  hopGaps: Map<string, Series>;
  /** Duration (ms) of calls to uninstrumented dependencies (no server span below). */
  dependencies: Map<string, Series>;
  calls: Map<string, CallCounts>;
  /** Calls that timed out (value 1) or not (0), per call. */
  timeouts: Map<string, Series & { fallbacks: Map<string, number> }>;
  errors: Map<string, ErrorCounts>;
  roots: Map<string, RootCounts>;
  /** Values of service.version and version-like span attributes, per service and attribute: value → samples. */
  versions: Map<string, { service: string; attribute: string; values: Map<string, Sample[]> }>;
}

export const keyOf = (...parts: string[]) => JSON.stringify(parts);
const ms = (ns: number) => ns / 1e6;

/** Whom a wait span waited to call: the first call its parent starts once the wait is over. */
function waitsFor(wait: Span, index: Map<string, Span>): string | undefined {
  const parent = wait.parentId ? index.get(wait.parentId) : undefined;
  const next = parent?.childIds
    .map((id) => index.get(id)!)
    .filter((sibling) => isCall(sibling) && sibling.startNs >= wait.endNs - 1e6)
    .sort((a, b) => a.startNs - b.startNs)[0];
  return next ? callTarget(next, index).name : undefined;
}

function series(map: Map<string, Series>, key: string, make: () => Omit<Series, 'samples'>): Series {
  let found = map.get(key);
  if (!found) {
    found = { ...make(), samples: [] };
    map.set(key, found);
  }
  return found;
}

/** Version-like attributes that say nothing about a deploy of the application. */
const NOT_A_DEPLOY = /^(telemetry|process\.runtime|os|network|net|tls|http|otel|browser|device|host)\./;
const VERSION_ATTRIBUTE = /(^|[._])version$/i;

/**
 * A trace of a request: it has a server, consumer, client or producer span. Traces of internal
 * work only (a storage compaction, a timer) are background activity, not what users wait for.
 */
export const isRequestTrace = (trace: Trace): boolean =>
  trace.spans.some((span) => span.kind !== 'internal' && span.kind !== 'unspecified');

/** Everything the detectors compare, measured on one period's request traces. */
export function observe(all: Trace[]): Observations {
  const traces = all.filter(isRequestTrace);
  const o: Observations = {
    traces,
    tracesWith: new Map(),
    entryOf: new Map(),
    selfTime: new Map(),
    waitSpans: new Map(),
    waitEvents: new Map(),
    waitsBeforeCalls: new Map(),
    hopGaps: new Map(),
    dependencies: new Map(),
    calls: new Map(),
    timeouts: new Map(),
    errors: new Map(),
    roots: new Map(),
    versions: new Map(),
  };
  for (const trace of traces) observeTrace(trace, o);
  return o;
}

function observeTrace(trace: Trace, o: Observations): void {
  const index = spanIndex(trace);
  const self = selfTimes(trace);
  const waits = waitsBeforeCalls(trace);
  const waitedIn = new Map<string, number>();
  for (const wait of waits) waitedIn.set(wait.parent.spanId, (waitedIn.get(wait.parent.spanId) ?? 0) + wait.waitNs);
  for (const service of new Set(trace.spans.map((span) => span.service))) o.tracesWith.set(service, (o.tracesWith.get(service) ?? 0) + 1);
  const entry = index.get(trace.roots[0]!)!;
  o.entryOf.set(trace, `${entry.service} › ${entry.name}`);
  const roots = new Set(trace.roots);
  const failedBelow = failingBelow(trace);

  for (const span of trace.spans) {
    const opKey = keyOf(span.service, span.name);
    if (isCall(span)) observeCall(span, trace, index, o);
    else if (isWaitSpan(span)) {
      const waits = series(o.waitSpans, opKey, () => ({ service: span.service, operation: span.name }));
      waits.peer ??= waitsFor(span, index);
      waits.samples.push({ value: ms(span.durationNs), trace });
    } else {
      const own = (self.get(span.spanId) ?? 0) - (waitedIn.get(span.spanId) ?? 0);
      series(o.selfTime, opKey, () => ({ service: span.service, operation: span.name })).samples.push({
        value: ms(Math.max(0, own)),
        trace,
      });
    }
    const reason = waitEvent(span);
    const events = series(o.waitEvents, opKey, () => ({ service: span.service, operation: span.name })) as Series & { example?: string };
    events.samples.push({ value: reason ? 1 : 0, trace });
    if (reason && !events.example) events.example = reason;

    const errors: ErrorCounts = o.errors.get(opKey) ?? {
      service: span.service,
      operation: span.name,
      spans: 0,
      origins: [],
      reachedEntry: 0,
    };
    o.errors.set(opKey, errors);
    errors.spans++;
    if (isFailed(span) && !failedBelow.has(span.spanId) && !isTimedOut(span, index)) {
      errors.origins.push({ value: 1, trace });
      if (isFailed(entry)) errors.reachedEntry++;
      errors.message ??= span.status.message || undefined;
    }

    const rootKey = keyOf(span.service, span.kind, span.name);
    const root: RootCounts = o.roots.get(rootKey) ?? {
      service: span.service,
      kind: span.kind,
      operation: span.name,
      asRoot: [],
      parents: new Map(),
    };
    o.roots.set(rootKey, root);
    const parent = span.parentId ? index.get(span.parentId) : undefined;
    if (roots.has(span.spanId)) root.asRoot.push({ value: 1, trace });
    else if (parent) root.parents.set(parent.service, (root.parents.get(parent.service) ?? 0) + 1);

    observeVersions(span, trace, o);
  }
  const groups = repeatedCalls(trace);
  const retries = new Set(groups.flatMap((group) => group.retries.map((call) => call.spanId)));
  // The time before a retry is its back-off: the retries kind covers it.
  for (const wait of waits) if (!retries.has(wait.call.spanId)) observeWait(wait, trace, index, o);
  for (const group of groups) {
    const counts = callCounts(o, group.service, group.operation, group.target.name);
    for (let i = 0; i < group.afterFailure; i++) counts.retries.push({ value: 1, trace });
    const fannedOut = group.calls.length - group.afterFailure;
    if (fannedOut >= 2) {
      counts.fanOutRepeats += fannedOut - 1;
      counts.fanOutGroups++;
      if (group.distinctArguments > 1) counts.distinctArgumentGroups++;
      if (group.calls.every((call, i) => i === 0 || call.startNs >= group.calls[i - 1]!.endNs)) counts.sequentialGroups++;
      if (!counts.largest || fannedOut > counts.largest.value) counts.largest = { value: fannedOut, trace };
    }
  }
}

/** Spans with a failing span somewhere beneath them (so they only pass an error on). */
function failingBelow(trace: Trace): Set<string> {
  const index = spanIndex(trace);
  const below = new Set<string>();
  for (const span of [...trace.spans].reverse()) {
    if (span.childIds.some((id) => below.has(id) || isFailed(index.get(id)!))) below.add(span.spanId);
  }
  return below;
}

function callCounts(o: Observations, service: string, operation: string, target: string): CallCounts {
  const key = keyOf(service, operation, target);
  let counts = o.calls.get(key);
  if (!counts) {
    counts = {
      service,
      operation,
      target,
      calls: 0,
      fanOutRepeats: 0,
      fanOutGroups: 0,
      distinctArgumentGroups: 0,
      sequentialGroups: 0,
      retries: [],
    };
    o.calls.set(key, counts);
  }
  return counts;
}

const FALLBACK_ATTRIBUTE = /fallback[._]reason$/;

function observeCall(call: Span, trace: Trace, index: Map<string, Span>, o: Observations): void {
  const target = callTarget(call, index);
  callCounts(o, call.service, call.name, target.name).calls++;
  const callee = calleeOf(call, index);
  if (callee && callee.service !== call.service) {
    series(o.hopGaps, keyOf(callee.service, callee.name, call.service), () => ({
      service: callee.service,
      operation: callee.name,
      peer: call.service,
    })).samples.push({ value: ms(callee.startNs - call.startNs), trace });
  }
  if (!target.instrumented && call.childIds.length === 0 && target.name !== 'unknown peer') {
    series(o.dependencies, keyOf(call.service, call.name, target.name), () => ({
      service: call.service,
      operation: call.name,
      peer: target.name,
      what: target.what,
    })).samples.push({ value: ms(call.durationNs), trace });
  }
  const timedOut = isTimedOut(call, index);
  const timeouts = series(o.timeouts, keyOf(call.service, call.name, target.name), () => ({
    service: call.service,
    operation: call.name,
    peer: target.name,
    fallbacks: new Map<string, number>(),
  })) as Series & { fallbacks: Map<string, number> };
  timeouts.samples.push({ value: timedOut ? 1 : 0, trace });
  if (timedOut && call.parentId) {
    // What the caller did next: a sibling naming a fallback reason (an application attribute, detail only).
    for (const id of index.get(call.parentId)!.childIds) {
      const sibling = index.get(id)!;
      if (sibling.startNs < call.endNs) continue;
      for (const [key, value] of Object.entries(sibling.attributes))
        if (FALLBACK_ATTRIBUTE.test(key)) timeouts.fallbacks.set(String(value), (timeouts.fallbacks.get(String(value)) ?? 0) + 1);
    }
  }
}

function observeWait(wait: WaitBeforeCall, trace: Trace, index: Map<string, Span>, o: Observations): void {
  const target = callTarget(wait.call, index);
  series(o.waitsBeforeCalls, keyOf(wait.parent.service, wait.parent.name, target.name), () => ({
    service: wait.parent.service,
    operation: wait.parent.name,
    peer: target.name,
  })).samples.push({ value: ms(wait.waitNs), trace });
}

function observeVersions(span: Span, trace: Trace, o: Observations): void {
  const found: [string, string][] = [];
  const version = span.resource['service.version'];
  if (typeof version === 'string' && version !== '') found.push(['service.version', version]);
  for (const [key, value] of Object.entries(span.attributes)) {
    if (VERSION_ATTRIBUTE.test(key) && !NOT_A_DEPLOY.test(key) && (typeof value === 'string' || typeof value === 'number'))
      found.push([key, String(value)]);
  }
  for (const [attribute, value] of found) {
    const key = keyOf(span.service, attribute);
    let entry = o.versions.get(key);
    if (!entry) {
      entry = { service: span.service, attribute, values: new Map() };
      o.versions.set(key, entry);
    }
    const samples = entry.values.get(value) ?? [];
    samples.push({ value: 1, trace });
    entry.values.set(value, samples);
  }
}
