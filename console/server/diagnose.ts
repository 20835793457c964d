// GET /api/diagnose?since=5m&baseline=30m&service=…: the diagnosis of the last minutes against a
// baseline (analysis/diagnosis), read from the backends this server proxies. Read-only: no token.
import type express from 'express';
import { runDiagnosis } from '../../analysis/diagnosis';
import { durationMs, recentPeriods } from '../../analysis/diagnosis/periods';
import { BackendUnavailableError } from '../../analysis/errors';
import type { ConsoleConfig } from './config';
import { sendError } from './proxy';

/** Longest window or baseline the endpoint reads (a bounded sample either way, but the queries cover it). */
const MAX_PERIOD_MS = 24 * 3_600_000;
/** A service name as OpenTelemetry resources carry them: anything printable, bounded. */
const SERVICE_NAME = /^[\p{L}\p{N}._:/@-]{1,128}$/u;

/** The request's periods and service, or the message of a 400. */
export function diagnoseRequest(query: Record<string, unknown>, now = Date.now()) {
  const period = (name: string, fallback: string): number | string => {
    const raw = query[name] ?? fallback;
    const ms = typeof raw === 'string' ? durationMs(raw) : undefined;
    if (ms === undefined || ms <= 0 || ms > MAX_PERIOD_MS)
      return `${name} must be a duration up to 24h such as 5m, 30m or 2h, got ${JSON.stringify(raw)}`;
    return ms;
  };
  const since = period('since', '5m');
  const baseline = period('baseline', '30m');
  if (typeof since === 'string') return since;
  if (typeof baseline === 'string') return baseline;
  const service = query.service;
  if (service !== undefined && (typeof service !== 'string' || !SERVICE_NAME.test(service)))
    return `service must be a service name (letters, digits, . _ : / @ -; at most 128), got ${JSON.stringify(service)}`;
  return { ...recentPeriods(since, baseline, now), ...(service ? { service } : {}) };
}

export function addDiagnoseRoute(app: express.Express, config: ConsoleConfig): void {
  app.get('/api/diagnose', async (req, res) => {
    const request = diagnoseRequest(req.query as Record<string, unknown>);
    if (typeof request === 'string') return sendError(res, 400, 'bad_request', request);
    try {
      res.json(
        await runDiagnosis({
          jaegerUrl: config.backends.jaeger,
          prometheusUrl: config.backends.prometheus,
          logsUrl: config.backends.victorialogs,
          ...request,
        }),
      );
    } catch (error) {
      if (error instanceof BackendUnavailableError) return sendError(res, 502, 'backend_unavailable', error.message);
      sendError(res, 500, 'diagnosis_failed', `the diagnosis failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  });
}
