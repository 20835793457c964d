// One normalized trace model, read from either of Jaeger v2's JSON shapes: its OTLP JSON
// (/api/v3/traces/{id}, what loadTrace uses) or its legacy UI JSON (/api/traces/{id}). Pure
// TypeScript: the CLI and the browser console share it.
import { MalformedTraceIdError, UnreadableTraceError } from './errors';

export type SpanKind = 'unspecified' | 'internal' | 'server' | 'client' | 'producer' | 'consumer';
export type StatusCode = 'unset' | 'ok' | 'error';
export type AttributeValue = string | number | boolean | null | AttributeValue[] | { [key: string]: AttributeValue };
export type Attributes = Record<string, AttributeValue>;

export interface SpanEvent {
  name: string;
  /** Nanoseconds since the trace's start. */
  timeNs: number;
  attributes: Attributes;
}

export interface SpanLink {
  traceId: string;
  spanId: string;
  attributes: Attributes;
}

/** A span, its times in nanoseconds relative to the trace's earliest span start. */
export interface Span {
  spanId: string;
  traceId: string;
  /** The parent span id as recorded; the parent may be missing from the trace (see `parentId`). */
  parentSpanId?: string;
  /** The parent inside this trace; undefined for a root or an orphan. */
  parentId?: string;
  /** How the span hangs under its parent: a plain child, or follows-from (legacy Jaeger reference only). */
  relation: 'child_of' | 'follows_from';
  service: string;
  name: string;
  kind: SpanKind;
  startNs: number;
  endNs: number;
  durationNs: number;
  /** The exact start, nanoseconds since the Unix epoch, as a decimal string (too big for a double). */
  startUnixNano: string;
  status: { code: StatusCode; message?: string };
  attributes: Attributes;
  events: SpanEvent[];
  links: SpanLink[];
  /** Resource attributes of the process that recorded the span (service.name, host.name, …). */
  resource: Attributes;
  /** Instrumentation scope (library) that created the span. */
  scope?: { name: string; version?: string };
  /** Children in this trace, by start time. */
  childIds: string[];
  /** 0 for roots and orphans. */
  depth: number;
}

export interface Trace {
  traceId: string;
  /** Earliest span start, nanoseconds since the Unix epoch, as a decimal string. */
  startUnixNano: string;
  /** Earliest span start, milliseconds since the Unix epoch (for display and log matching). */
  startEpochMs: number;
  /** From the earliest start to the latest end of any span. */
  durationNs: number;
  /** Depth-first: each root (by start time) followed by its subtree, children by start time. */
  spans: Span[];
  /** Spans without a parent: the true root(s) and the orphans. */
  roots: string[];
  /** Spans whose recorded parent is not in the trace (lost, not yet arrived, or sampled out); also roots. */
  orphans: string[];
  /** Problems met while reading (duplicate span ids, cycles). */
  warnings: string[];
}

const HEX_ID = /^[0-9a-f]+$/;

/**
 * Checks and normalizes a trace id: 32 hex digits (W3C), or 16 (older Jaeger ids, zero-padded to 32).
 * @throws MalformedTraceIdError
 */
export function parseTraceId(input: string): string {
  const id = input.trim().toLowerCase();
  if (!HEX_ID.test(id) || (id.length !== 32 && id.length !== 16) || /^0+$/.test(id)) throw new MalformedTraceIdError(input);
  return id.padStart(32, '0');
}

const indexes = new WeakMap<Trace, Map<string, Span>>();

/** A trace's spans by id (built once per trace: every analysis step needs it). */
export function spanIndex(trace: Trace): Map<string, Span> {
  let index = indexes.get(trace);
  if (!index) {
    index = new Map(trace.spans.map((span) => [span.spanId, span]));
    indexes.set(trace, index);
  }
  return index;
}

// ---- reading ---------------------------------------------------------------------------------

/** A span as read, before the tree is built: times still absolute. */
interface RawSpan extends Omit<Span, 'parentId' | 'startNs' | 'endNs' | 'durationNs' | 'startUnixNano' | 'childIds' | 'depth' | 'events'> {
  /** Candidate parents in order of preference: [{id, relation}] */
  parents: { spanId: string; relation: 'child_of' | 'follows_from' }[];
  start: bigint;
  end: bigint;
  events: { name: string; time: bigint; attributes: Attributes }[];
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const asArray = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const asString = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** OTLP ids are hex in OTLP JSON; protobuf-JSON producers write base64. Both become lowercase hex. */
function otlpId(value: unknown): string {
  const text = asString(value) ?? '';
  if (text === '' || HEX_ID.test(text.toLowerCase())) return text.toLowerCase();
  try {
    return Array.from(atob(text), (char) => char.charCodeAt(0).toString(16).padStart(2, '0')).join('');
  } catch {
    throw new UnreadableTraceError(`span id "${text}" is neither hex nor base64`);
  }
}

function anyValue(value: unknown): AttributeValue {
  if (!isObject(value)) return null;
  if ('stringValue' in value) return String(value.stringValue);
  if ('boolValue' in value) return Boolean(value.boolValue);
  if ('intValue' in value) return Number(value.intValue);
  if ('doubleValue' in value) return Number(value.doubleValue);
  if ('bytesValue' in value) return String(value.bytesValue);
  if ('arrayValue' in value) return asArray((value.arrayValue as Json | undefined)?.values).map(anyValue);
  if ('kvlistValue' in value) return otlpAttributes((value.kvlistValue as Json | undefined)?.values);
  return null;
}

function otlpAttributes(list: unknown): Attributes {
  const attributes: Attributes = {};
  for (const entry of asArray(list)) if (isObject(entry) && typeof entry.key === 'string') attributes[entry.key] = anyValue(entry.value);
  return attributes;
}

const OTLP_KINDS: SpanKind[] = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];
function otlpKind(value: unknown): SpanKind {
  if (typeof value === 'number') return OTLP_KINDS[value] ?? 'unspecified';
  const name = String(value ?? '')
    .replace(/^SPAN_KIND_/, '')
    .toLowerCase();
  return (OTLP_KINDS as string[]).includes(name) ? (name as SpanKind) : 'unspecified';
}

function otlpStatus(value: unknown): Span['status'] {
  const status = isObject(value) ? value : {};
  const raw = status.code;
  const code: StatusCode = raw === 2 || raw === 'STATUS_CODE_ERROR' ? 'error' : raw === 1 || raw === 'STATUS_CODE_OK' ? 'ok' : 'unset';
  const message = asString(status.message);
  return message ? { code, message } : { code };
}

const nanos = (value: unknown): bigint => BigInt(typeof value === 'number' ? Math.round(value) : String(value ?? '0') || '0');

function readOtlp(resourceSpans: unknown[]): RawSpan[] {
  const spans: RawSpan[] = [];
  for (const resourceSpan of resourceSpans) {
    if (!isObject(resourceSpan)) continue;
    const resource = otlpAttributes((resourceSpan.resource as Json | undefined)?.attributes);
    const service = typeof resource['service.name'] === 'string' ? resource['service.name'] : 'unknown_service';
    for (const scopeSpans of asArray(resourceSpan.scopeSpans ?? resourceSpan.instrumentationLibrarySpans)) {
      if (!isObject(scopeSpans)) continue;
      const scopeJson = (scopeSpans.scope ?? scopeSpans.instrumentationLibrary) as Json | undefined;
      const scope = scopeJson?.name
        ? { name: String(scopeJson.name), ...(scopeJson.version ? { version: String(scopeJson.version) } : {}) }
        : undefined;
      for (const span of asArray(scopeSpans.spans)) {
        if (!isObject(span)) continue;
        const parentSpanId = otlpId(span.parentSpanId);
        spans.push({
          spanId: otlpId(span.spanId),
          traceId: otlpId(span.traceId),
          ...(parentSpanId ? { parentSpanId } : {}),
          parents: parentSpanId ? [{ spanId: parentSpanId, relation: 'child_of' }] : [],
          relation: 'child_of',
          service,
          name: String(span.name ?? ''),
          kind: otlpKind(span.kind),
          start: nanos(span.startTimeUnixNano),
          end: nanos(span.endTimeUnixNano),
          status: otlpStatus(span.status),
          attributes: otlpAttributes(span.attributes),
          events: asArray(span.events)
            .filter(isObject)
            .map((event) => ({
              name: String(event.name ?? ''),
              time: nanos(event.timeUnixNano),
              attributes: otlpAttributes(event.attributes),
            })),
          links: asArray(span.links)
            .filter(isObject)
            .map((link) => ({ traceId: otlpId(link.traceId), spanId: otlpId(link.spanId), attributes: otlpAttributes(link.attributes) })),
          resource,
          ...(scope ? { scope } : {}),
        });
      }
    }
  }
  return spans;
}

function legacyTags(list: unknown): Attributes {
  const attributes: Attributes = {};
  for (const tag of asArray(list))
    if (isObject(tag) && typeof tag.key === 'string') attributes[tag.key] = (tag.value ?? null) as AttributeValue;
  return attributes;
}

// Tags the Jaeger OTLP→legacy translation adds in place of OTLP fields; moved back into the fields.
const LEGACY_FIELD_TAGS = ['span.kind', 'otel.status_code', 'otel.status_description', 'otel.scope.name', 'otel.scope.version', 'error'];

function readLegacy(trace: Json): RawSpan[] {
  const processes = isObject(trace.processes) ? trace.processes : {};
  return asArray(trace.spans)
    .filter(isObject)
    .map((span): RawSpan => {
      const jaegerProcess = processes[String(span.processID)];
      const resource = isObject(jaegerProcess) ? legacyTags(jaegerProcess.tags) : {};
      const service =
        isObject(jaegerProcess) && typeof jaegerProcess.serviceName === 'string' ? jaegerProcess.serviceName : 'unknown_service';
      resource['service.name'] ??= service;
      const tags = legacyTags(span.tags);
      const references = asArray(span.references)
        .filter(isObject)
        .map((ref) => ({
          spanId: String(ref.spanID ?? '').toLowerCase(),
          traceId: String(ref.traceID ?? '').toLowerCase(),
          relation: ref.refType === 'FOLLOWS_FROM' ? ('follows_from' as const) : ('child_of' as const),
        }));
      const traceId = String(span.traceID ?? '').toLowerCase();
      const sameTrace = references.filter((ref) => ref.traceId === traceId);
      // Jaeger UI's rule: the first CHILD_OF reference in the trace, else the first FOLLOWS_FROM.
      const parents = [
        ...sameTrace.filter((ref) => ref.relation === 'child_of'),
        ...sameTrace.filter((ref) => ref.relation === 'follows_from'),
      ];
      const start = BigInt(Math.round(Number(span.startTime ?? 0))) * 1000n;
      const statusTag = String(tags['otel.status_code'] ?? '').toUpperCase();
      const code: StatusCode = statusTag === 'ERROR' || tags.error === true ? 'error' : statusTag === 'OK' ? 'ok' : 'unset';
      const message = asString(tags['otel.status_description']);
      const scopeName = asString(tags['otel.scope.name']);
      const scopeVersion = asString(tags['otel.scope.version']);
      const kind = otlpKind(String(tags['span.kind'] ?? 'unspecified'));
      for (const key of LEGACY_FIELD_TAGS) delete tags[key];
      return {
        spanId: String(span.spanID ?? '').toLowerCase(),
        traceId,
        ...(parents[0] ? { parentSpanId: parents[0].spanId } : {}),
        parents: parents.map(({ spanId, relation }) => ({ spanId, relation })),
        relation: 'child_of',
        service,
        name: String(span.operationName ?? ''),
        kind,
        start,
        end: start + BigInt(Math.round(Number(span.duration ?? 0))) * 1000n,
        status: message ? { code, message } : { code },
        attributes: tags,
        events: asArray(span.logs)
          .filter(isObject)
          .map((log) => {
            const fields = legacyTags(log.fields);
            const name = asString(fields.event) ?? 'log';
            delete fields.event;
            return { name, time: BigInt(Math.round(Number(log.timestamp ?? 0))) * 1000n, attributes: fields };
          }),
        // Every reference but the one chosen as parent is a link (Jaeger writes OTLP links as FOLLOWS_FROM).
        links: references
          .filter((ref) => !(parents[0] && ref.spanId === parents[0].spanId && ref.traceId === traceId))
          .map((ref) => ({ traceId: ref.traceId, spanId: ref.spanId, attributes: {} })),
        resource,
        ...(scopeName ? { scope: { name: scopeName, ...(scopeVersion ? { version: scopeVersion } : {}) } } : {}),
      };
    });
}

/** Finds the spans in any of the accepted JSON shapes. */
function readSpans(json: unknown): RawSpan[] {
  if (!isObject(json)) throw new UnreadableTraceError('a trace must be a JSON object');
  if (isObject(json.result) && Array.isArray(json.result.resourceSpans)) return readOtlp(json.result.resourceSpans);
  if (Array.isArray(json.resourceSpans)) return readOtlp(json.resourceSpans);
  if (Array.isArray(json.data)) {
    if (json.data.length === 0) return [];
    return json.data.filter(isObject).flatMap(readLegacy);
  }
  if (Array.isArray(json.spans)) return readLegacy(json);
  throw new UnreadableTraceError(
    'not a Jaeger trace: expected {result: {resourceSpans}} (api/v3), {resourceSpans} (OTLP) or {data: [...]} (api/traces)',
  );
}

/**
 * Reads a trace from Jaeger's JSON into the normalized model. Accepts Jaeger v2's OTLP JSON
 * (`/api/v3/traces/{id}`: `{result: {resourceSpans}}`), plain OTLP JSON (`{resourceSpans}`) and the
 * legacy UI JSON (`/api/traces/{id}`: `{data: [{spans, processes}]}`, microsecond precision).
 * Spans whose parent is missing become extra roots and are listed in `orphans`.
 * @throws UnreadableTraceError when the JSON holds no spans or is not a trace
 */
export function normalizeJaegerTrace(json: unknown): Trace {
  const raw = readSpans(json);
  if (raw.length === 0) throw new UnreadableTraceError('the trace has no spans');
  const warnings: string[] = [];
  const byId = new Map<string, RawSpan>();
  for (const span of raw) {
    if (byId.has(span.spanId)) warnings.push(`duplicate span id ${span.spanId}: the later copy is ignored`);
    else byId.set(span.spanId, span);
  }
  const traceIds = new Set(raw.map((span) => span.traceId));
  if (traceIds.size > 1) warnings.push(`spans of ${traceIds.size} trace ids: ${[...traceIds].join(', ')}`);

  let origin = raw[0]!.start;
  let last = raw[0]!.end;
  for (const span of byId.values()) {
    if (span.start < origin) origin = span.start;
    if (span.end > last) last = span.end;
  }
  const rel = (t: bigint) => Number(t - origin);

  const spans = new Map<string, Span>();
  for (const r of byId.values()) {
    const parent = r.parents.find((candidate) => candidate.spanId !== r.spanId && byId.has(candidate.spanId));
    const startNs = rel(r.start);
    // A span that ends before it starts (a broken clock or exporter) is read as zero-length.
    const durationNs = Math.max(0, Number(r.end - r.start));
    const span: Span = {
      spanId: r.spanId,
      traceId: r.traceId,
      relation: parent?.relation ?? 'child_of',
      service: r.service,
      name: r.name,
      kind: r.kind,
      startNs,
      endNs: startNs + durationNs,
      durationNs,
      startUnixNano: r.start.toString(),
      status: r.status,
      attributes: r.attributes,
      events: r.events.map((event) => ({ name: event.name, timeNs: rel(event.time), attributes: event.attributes })),
      links: r.links,
      resource: r.resource,
      childIds: [],
      depth: 0,
    };
    if (r.parentSpanId) span.parentSpanId = r.parentSpanId;
    if (parent) span.parentId = parent.spanId;
    if (r.scope) span.scope = r.scope;
    spans.set(r.spanId, span);
  }
  const byStart = (a: Span, b: Span) => a.startNs - b.startNs || a.endNs - b.endNs || (a.spanId < b.spanId ? -1 : 1);
  const sorted = [...spans.values()].sort(byStart);
  for (const span of sorted) if (span.parentId) spans.get(span.parentId)!.childIds.push(span.spanId);

  // Depth-first order from the roots; a span never reached sits in a parent cycle: cut it loose.
  const ordered: Span[] = [];
  const visit = (rootId: string) => {
    const stack: [string, number][] = [[rootId, 0]];
    while (stack.length > 0) {
      const [id, depth] = stack.pop()!;
      const span = spans.get(id)!;
      span.depth = depth;
      ordered.push(span);
      for (let i = span.childIds.length - 1; i >= 0; i--) stack.push([span.childIds[i]!, depth + 1]);
    }
  };
  const roots = sorted.filter((span) => !span.parentId);
  for (const root of roots) visit(root.spanId);
  if (ordered.length < spans.size) {
    const reached = new Set(ordered.map((span) => span.spanId));
    for (const span of sorted) {
      if (reached.has(span.spanId)) continue;
      warnings.push(`span ${span.spanId} is part of a parent cycle: shown as a root`);
      spans.get(span.parentId!)!.childIds = spans.get(span.parentId!)!.childIds.filter((id) => id !== span.spanId);
      delete span.parentId;
      roots.push(span);
      const before = ordered.length;
      visit(span.spanId);
      for (const added of ordered.slice(before)) reached.add(added.spanId);
    }
  }
  return {
    traceId: [...traceIds][0]!,
    startUnixNano: origin.toString(),
    startEpochMs: Number(origin / 1000n) / 1000,
    durationNs: Number(last - origin),
    spans: ordered,
    roots: roots.map((span) => span.spanId),
    orphans: roots.filter((span) => span.parentSpanId !== undefined).map((span) => span.spanId),
    warnings,
  };
}
