// pino JSON logs. instrumentation-pino (loaded by the telemetry bootstrap) adds trace_id,
// span_id and trace_flags to every record written inside a span and also sends the records
// through the OTel Logs SDK (OTLP), so stdout and the log backend carry the same ids.
import { context } from '@opentelemetry/api';
import pino from 'pino';
import { baggageFields, recordedBaggagePrefixes } from './baggage';

export type Logger = pino.Logger;

export function createLogger(level = process.env.LOG_LEVEL ?? 'info'): Logger {
  const prefixes = recordedBaggagePrefixes();
  return pino({
    level,
    // The request's allow-listed baggage on every line written in its context (services/shared/baggage.ts).
    mixin: () => baggageFields(context.active(), prefixes),
    // Never log credentials even if someone logs a request object.
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'headers.authorization', 'headers.cookie'], remove: true },
  });
}
