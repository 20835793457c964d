// Hand-built traces for the analysis tests: a compact span list turned into Jaeger v2's OTLP JSON
// (or its legacy JSON), so every test also goes through normalizeJaegerTrace.
import { analyzeTrace, normalizeJaegerTrace, type SpanKind, type Trace, type TraceReport } from '../../../analysis';

export interface SpanSpec {
  id: string;
  parent?: string;
  service?: string;
  name?: string;
  kind?: SpanKind;
  /** ms from the fixture's origin */
  start: number;
  end: number;
  error?: string;
  attributes?: Record<string, string | number | boolean>;
  events?: { name: string; at: number; attributes?: Record<string, string> }[];
}

export const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const ORIGIN_NS = 1_764_100_000_000_000_000n;
const KINDS: SpanKind[] = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];

/** A readable name as a 16-hex-digit span id. */
export const idOf = (name: string) =>
  Array.from(name, (c) => c.charCodeAt(0).toString(16).padStart(2, '0'))
    .join('')
    .padStart(16, '0')
    .slice(-16);

const nsAt = (ms: number) => (ORIGIN_NS + BigInt(Math.round(ms * 1e6))).toString();
const attrs = (a: Record<string, string | number | boolean> = {}) =>
  Object.entries(a).map(([key, value]) => ({
    key,
    value:
      typeof value === 'string' ? { stringValue: value } : typeof value === 'boolean' ? { boolValue: value } : { intValue: String(value) },
  }));

/** Jaeger v2 `/api/v3/traces/{id}` JSON: one resource per service. */
export function otlpJson(specs: SpanSpec[]): unknown {
  const services = [...new Set(specs.map((s) => s.service ?? 'svc'))];
  return {
    result: {
      resourceSpans: services.map((service) => ({
        resource: { attributes: attrs({ 'service.name': service }) },
        scopeSpans: [
          {
            scope: { name: 'fixture' },
            spans: specs
              .filter((s) => (s.service ?? 'svc') === service)
              .map((s) => ({
                traceId: TRACE_ID,
                spanId: idOf(s.id),
                ...(s.parent ? { parentSpanId: idOf(s.parent) } : {}),
                name: s.name ?? s.id,
                kind: KINDS.indexOf(s.kind ?? 'internal'),
                startTimeUnixNano: nsAt(s.start),
                endTimeUnixNano: nsAt(s.end),
                attributes: attrs(s.attributes),
                events: (s.events ?? []).map((e) => ({ name: e.name, timeUnixNano: nsAt(e.at), attributes: attrs(e.attributes) })),
                status: s.error ? { code: 2, message: s.error } : {},
              })),
          },
        ],
      })),
    },
  };
}

export const traceOf = (specs: SpanSpec[]): Trace => normalizeJaegerTrace(otlpJson(specs));
export const reportOf = (specs: SpanSpec[]): TraceReport => analyzeTrace(traceOf(specs));

/** The critical path as [span name, start ms, end ms] triples. */
export const pathOf = (report: TraceReport) =>
  report.critical_path.map((entry) => [entry.operation, entry.start_ms, Math.round((entry.start_ms + entry.duration_ms) * 1000) / 1000]);
