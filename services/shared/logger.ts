// pino JSON logs. instrumentation-pino (loaded by the telemetry bootstrap) adds trace_id,
// span_id and trace_flags to every record written inside a span and also sends the records
// through the OTel Logs SDK (OTLP), so stdout and the log backend carry the same ids.
import pino from 'pino';

export type Logger = pino.Logger;

export function createLogger(level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({
    level,
    // Never log credentials even if someone logs a request object.
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'headers.authorization', 'headers.cookie'], remove: true },
  });
}
