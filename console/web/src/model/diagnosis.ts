// The Diagnose page's pure parts: its URL parameters (the same as `GET /api/diagnose`), where each
// piece of evidence links to, and the time range its queries are drawn over.
import type { Diagnosis, TracePair } from '../../../../analysis/diagnosis/types';

/** Window lengths the page offers (and the endpoint's `since`), shortest first; the first is the default. */
export const DIAGNOSE_SINCE = ['5m', '15m', '30m', '1h'] as const;
/** Baseline lengths before the window (`baseline`); the first is the default. */
export const DIAGNOSE_BASELINE = ['30m', '1h', '2h'] as const;

export interface DiagnoseParams {
  since: string;
  baseline: string;
  service?: string;
}

const oneOf = (value: string | null, allowed: readonly string[]) => (value && allowed.includes(value) ? value : allowed[0]!);

/** The page's parameters from its URL: unknown values fall back to the defaults, an unknown service to all. */
export function diagnoseParams(params: URLSearchParams, services: readonly string[]): DiagnoseParams {
  const service = params.get('service');
  return {
    since: oneOf(params.get('since'), DIAGNOSE_SINCE),
    baseline: oneOf(params.get('baseline'), DIAGNOSE_BASELINE),
    ...(service && services.includes(service) ? { service } : {}),
  };
}

/** The Diagnose page for one service (from the Signals page or a firing alert), or for all. */
export const diagnoseHref = (service?: string) => (service ? `/diagnose?service=${encodeURIComponent(service)}` : '/diagnose');

/**
 * Where a trace of the evidence opens: beside its usual baseline trace in compare view (A the
 * usual one, B the one from the window, so B − A is what changed), or alone.
 */
export const traceHref = (pair: TracePair) =>
  pair.baseline_trace_id
    ? `/trace/${encodeURIComponent(pair.baseline_trace_id)}/vs/${encodeURIComponent(pair.trace_id)}`
    : `/trace/${encodeURIComponent(pair.trace_id)}`;

/** A query's panel covers the baseline and the window, so the shift shows; about 240 points. */
export function queryRange(diagnosis: Pick<Diagnosis, 'window' | 'baseline'>): { startS: number; endS: number; stepS: number } {
  const startS = Math.floor(Date.parse(diagnosis.baseline.from) / 1000);
  const endS = Math.ceil(Date.parse(diagnosis.window.to) / 1000);
  return { startS, endS, stepS: Math.max(15, Math.round((endS - startS) / 240)) };
}

/** A series' name in a legend: its labels without the metric name, or the query's own name. */
export function seriesLabel(metric: Record<string, string>, fallback: string): string {
  const labels = Object.entries(metric).filter(([key]) => key !== '__name__');
  return labels.length ? labels.map(([key, value]) => `${key}="${value}"`).join(', ') : (metric.__name__ ?? fallback);
}
