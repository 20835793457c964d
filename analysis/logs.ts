// Log lines of one trace, as read from VictoriaLogs, and their place under the trace's spans.
import type { Trace } from './model';
import { spanIndex } from './model';

/**
 * Log fields that carry the ids: VictoriaLogs stores the OTLP log record's own trace context as
 * `trace_id`/`span_id` (the services send no copies of their own).
 */
export const LOG_FIELDS = { traceId: 'trace_id', spanId: 'span_id' } as const;

/** One log line of a trace. */
export interface TraceLogLine {
  /** RFC 3339 timestamp as stored (nanosecond digits kept). */
  time: string;
  /** Milliseconds since the Unix epoch (microsecond precision). */
  epoch_ms: number;
  service: string;
  /** Severity text as logged (info, warn, error, …). */
  severity: string;
  message: string;
  trace_id: string;
  /** The span that was active when the line was written, if any. */
  span_id?: string;
  /** The record's other fields (not the resource's), as strings. */
  fields: Record<string, string>;
}

/** A log line placed in a trace. */
export interface PlacedLogLine extends TraceLogLine {
  /** Milliseconds since the trace's start (negative before it). */
  time_ms: number;
  /** The span the line belongs under: its own span when that is in the trace, else undefined. */
  under_span_id?: string;
}

/** Milliseconds since the epoch from an RFC 3339 time with up to 9 fractional digits. */
export function epochMsOf(time: string): number {
  const match = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(time);
  if (!match) return Date.parse(time);
  const seconds = Date.parse(`${match[1]}${match[3]}`);
  const fraction = Number(`0.${match[2] ?? '0'}`);
  return seconds + Math.round(fraction * 1e6) / 1e3;
}

const SEVERITY_FIELDS = ['severity', 'level', 'severity_text'];
const SKIPPED_FIELDS = new Set(['_time', '_msg', '_stream', '_stream_id', 'service.name', ...SEVERITY_FIELDS]);

/** Reads one VictoriaLogs JSON row (`/select/logsql/query` answers one per line). */
export function logLineFromRow(row: Record<string, unknown>): TraceLogLine {
  const text = (key: string) => (row[key] === undefined || row[key] === null ? undefined : String(row[key]));
  // Resource attributes (host, process, SDK) are the stream's fields: leave them out of the line's own.
  const streamFields = new Set([...String(row._stream ?? '').matchAll(/([\w.-]+)="/g)].map((match) => match[1]));
  const fields: Record<string, string> = {};
  for (const [key, value] of Object.entries(row)) {
    if (SKIPPED_FIELDS.has(key) || streamFields.has(key) || key === LOG_FIELDS.traceId || key === LOG_FIELDS.spanId) continue;
    fields[key] = String(value);
  }
  const time = text('_time') ?? '';
  const spanId = text(LOG_FIELDS.spanId);
  return {
    time,
    epoch_ms: epochMsOf(time),
    service: text('service.name') ?? 'unknown_service',
    severity: SEVERITY_FIELDS.map(text).find(Boolean) ?? '',
    message: text('_msg') ?? '',
    trace_id: text(LOG_FIELDS.traceId) ?? '',
    ...(spanId ? { span_id: spanId } : {}),
    fields,
  };
}

/** The lines in time order, each placed under its span in the trace. */
export function placeLogs(trace: Trace, lines: TraceLogLine[]): PlacedLogLine[] {
  const index = spanIndex(trace);
  return [...lines]
    .sort((a, b) => a.epoch_ms - b.epoch_ms)
    .map((line) => ({
      ...line,
      time_ms: Math.round((line.epoch_ms - trace.startEpochMs) * 1000) / 1000,
      ...(line.span_id && index.has(line.span_id) ? { under_span_id: line.span_id } : {}),
    }));
}
