// pino JSON logs. instrumentation-pino (loaded by the telemetry bootstrap) adds trace_id,
// span_id and trace_flags to every record written inside a span and also sends the records
// through the OTel Logs SDK (OTLP), so stdout and the log backend carry the same ids.
import { trace } from '@opentelemetry/api';
import pino from 'pino';

export type Logger = pino.Logger;

/**
 * instrumentation-pino strips trace_id/span_id from the OTLP attributes (they travel as the log
 * record's trace context), and VictoriaLogs 1.x drops that context on ingestion. Repeating the
 * ids as `trace.id`/`span.id` keeps them searchable in the log backend.
 */
function traceFields(): Record<string, string> {
  const spanContext = trace.getActiveSpan()?.spanContext();
  return spanContext ? { 'trace.id': spanContext.traceId, 'span.id': spanContext.spanId } : {};
}

export function createLogger(level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({
    level,
    mixin: traceFields,
    // Never log credentials even if someone logs a request object.
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'headers.authorization', 'headers.cookie'], remove: true },
  });
}
