// Gathers a DiagnosisInput from the backends over HTTP (global fetch only): a bounded sample of
// traces per period from Jaeger, the engine's PromQL at the end of each period from Prometheus,
// and warn/error lines of both periods from VictoriaLogs. Every request runs in parallel, a few at
// a time, each with a timeout: a 5-minute window loads in seconds.

import { request } from '../../clients/http';
import { BackendUnavailableError } from '../errors';
import { logLineFromRow } from '../logs';
import { normalizeJaegerTrace, type Trace } from '../model';
import { diagnose } from './engine';
import { isRequestTrace } from './observe';
import { metricQueries, rangeOf } from './queries';
import type { Diagnosis, DiagnosisInput, DiagnosisLogLine, MetricResult, MetricSample, TimeRange } from './types';

export interface LoadDiagnosisOptions {
  jaegerUrl: string;
  prometheusUrl: string;
  logsUrl: string;
  window: TimeRange;
  baseline: TimeRange;
  /** Only hypotheses about this service and what it calls. */
  service?: string;
  /** Traces kept per period (default 200). */
  traceBudget?: number;
  /** Warn/error log lines read per period (default 300). */
  logBudget?: number;
}

/** Jaeger searches in flight at once. */
const CONCURRENCY = 6;
/** Each period is searched in this many time slices, so the sample covers all of it, not only its end. */
const SLICES = 4;

/** A gate that lets at most `limit` requests run at once, shared by everything one load does. */
function limiter(limit: number): <T>(task: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async (task) => {
    if (running >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    running++;
    try {
      return await task();
    } finally {
      running--;
      waiting.shift()?.();
    }
  };
}
type Limit = ReturnType<typeof limiter>;

type Json = Record<string, unknown>;

/** Splits a search answer (spans of many traces) into one OTLP JSON document per trace. */
function splitByTrace(json: unknown): Map<string, { resourceSpans: Json[] }> {
  const traces = new Map<string, { resourceSpans: Json[] }>();
  const resourceSpans = ((json as { result?: { resourceSpans?: Json[] } }).result?.resourceSpans ?? []) as Json[];
  for (const resourceSpan of resourceSpans) {
    for (const scopeSpans of (resourceSpan.scopeSpans ?? []) as Json[]) {
      const byTrace = new Map<string, Json[]>();
      for (const span of (scopeSpans.spans ?? []) as Json[]) {
        const id = String(span.traceId ?? '').toLowerCase();
        // Appended in place: copying the list per span is quadratic (165 s for eight answers of one
        // 30,000-span trace, test/unit/diagnosis/load.test.ts).
        const spans = byTrace.get(id);
        if (spans) spans.push(span);
        else byTrace.set(id, [span]);
      }
      for (const [id, spans] of byTrace) {
        const document = traces.get(id) ?? { resourceSpans: [] };
        document.resourceSpans.push({ resource: resourceSpan.resource, scopeSpans: [{ scope: scopeSpans.scope, spans }] });
        traces.set(id, document);
      }
    }
  }
  return traces;
}

/** A search answers up to hundreds of whole traces: on a busy machine that takes longer than a lookup. */
const SEARCH_TIMEOUT_MS = 30_000;

async function jaegerJson(jaegerUrl: string, path: string, signal: AbortSignal): Promise<unknown> {
  const response = await request('Jaeger', jaegerUrl, path, { timeoutMs: SEARCH_TIMEOUT_MS, signal });
  if (response.status === 404) {
    await response.body?.cancel();
    return {};
  }
  if (!response.ok)
    throw new BackendUnavailableError('Jaeger', jaegerUrl, `HTTP ${response.status}: ${(await response.text()).slice(0, 200)}`);
  return response.json();
}

/** The services Jaeger knows. */
async function services(jaegerUrl: string, signal: AbortSignal): Promise<string[]> {
  const json = (await jaegerJson(jaegerUrl, '/api/v3/services', signal)) as { services?: string[] };
  return [...(json.services ?? [])].sort();
}

async function search(
  jaegerUrl: string,
  service: string,
  fromMs: number,
  toMs: number,
  count: number,
  signal: AbortSignal,
): Promise<Map<string, { resourceSpans: Json[] }>> {
  const params = new URLSearchParams({
    'query.service_name': service,
    'query.start_time_min': new Date(fromMs).toISOString(),
    'query.start_time_max': new Date(toMs).toISOString(),
    'query.num_traces': String(count),
    'query.raw_traces': 'true',
  });
  return splitByTrace(await jaegerJson(jaegerUrl, `/api/v3/traces?${params}`, signal));
}

const isErrored = (trace: Trace) => trace.spans.some((span) => span.status.code === 'error');

/**
 * The sample of one period: every service searched in SLICES time slices (a service called by few
 * requests still gets its share), deduplicated, background traces left out. Over the budget,
 * errored traces (up to a fifth of it) and the slowest (another fifth) first, then the rest taken
 * from each service's search in turn. The same rule for both periods.
 */
async function sampleTraces(
  jaegerUrl: string,
  names: string[],
  period: TimeRange,
  budget: number,
  limit: Limit,
  signal: AbortSignal,
): Promise<Trace[]> {
  const slice = (period.toMs - period.fromMs) / SLICES;
  const perQuery = Math.ceil(budget / SLICES / 2);
  const answers = await Promise.all(
    names.map((service) =>
      Promise.all(
        Array.from({ length: SLICES }, (_, i) =>
          limit(() => search(jaegerUrl, service, period.fromMs + i * slice, period.fromMs + (i + 1) * slice, perQuery, signal)),
        ),
      ),
    ),
  );
  const found = new Map<string, Trace>();
  const byService: Trace[][] = answers.map((slices) => {
    const list: Trace[] = [];
    for (const answer of slices) {
      for (const [id, document] of answer) {
        let trace = found.get(id);
        if (!trace) {
          try {
            trace = normalizeJaegerTrace(document);
          } catch {
            continue; // A trace Jaeger answers but the model cannot read is left out of the sample.
          }
          if (!isRequestTrace(trace)) continue;
          found.set(id, trace);
        }
        list.push(trace);
      }
    }
    return list.sort((a, b) => (a.traceId < b.traceId ? -1 : 1));
  });
  const all = [...found.values()].sort((a, b) => (a.traceId < b.traceId ? -1 : 1));
  if (all.length <= budget) return all;
  const kept = new Set<Trace>();
  for (const trace of all.filter(isErrored).slice(0, Math.floor(budget / 5))) kept.add(trace);
  const slowest = [...all].sort((a, b) => b.durationNs - a.durationNs || (a.traceId < b.traceId ? -1 : 1));
  for (const trace of slowest.slice(0, Math.floor(budget / 5))) kept.add(trace);
  for (let i = 0; kept.size < budget && byService.some((list) => i < list.length); i++) {
    for (const list of byService) if (i < list.length && kept.size < budget) kept.add(list[i]!);
  }
  return [...kept];
}

async function instantQuery(prometheusUrl: string, promql: string, atMs: number, signal: AbortSignal): Promise<MetricSample[]> {
  const params = new URLSearchParams({ query: promql, time: String(atMs / 1000) });
  const response = await request('Prometheus', prometheusUrl, `/api/v1/query?${params}`, { signal });
  const body = (await response.json()) as {
    status: string;
    error?: string;
    data?: { result: { metric: Record<string, string>; value: [number, string] }[] };
  };
  if (body.status !== 'success') throw new BackendUnavailableError('Prometheus', prometheusUrl, `query failed: ${body.error}`);
  return body.data!.result.map((series) => ({ labels: series.metric, value: Number(series.value[1]) }));
}

async function loadMetrics(prometheusUrl: string, window: TimeRange, baseline: TimeRange, signal: AbortSignal): Promise<MetricResult[]> {
  const queries = metricQueries();
  const filled = (promql: string, period: TimeRange) => promql.replaceAll('$range', rangeOf(period.toMs - period.fromMs));
  // Prometheus answers these in milliseconds: all at once, apart from the Jaeger searches' limit.
  const answers = await Promise.all(
    queries.flatMap((query) => [
      instantQuery(prometheusUrl, filled(query.promql, window), window.toMs, signal),
      instantQuery(prometheusUrl, filled(query.promql, baseline), baseline.toMs, signal),
    ]),
  );
  return queries.map((query, i) => ({
    id: query.id,
    promql: filled(query.promql, window),
    window: answers[2 * i]!,
    baseline: answers[2 * i + 1]!,
  }));
}

/** Warn and error lines, as the services' OTLP logs land in VictoriaLogs (severity_text), or a `level` field. */
const WARN_OR_ERROR =
  '(severity_text:in(warn, warning, error, fatal, WARN, WARNING, ERROR, FATAL) OR level:in(warn, warning, error, fatal, WARN, ERROR))';

async function loadLogs(logsUrl: string, period: TimeRange, limit: number, signal: AbortSignal): Promise<DiagnosisLogLine[]> {
  const query = `_time:[${new Date(period.fromMs).toISOString()}, ${new Date(period.toMs).toISOString()}) ${WARN_OR_ERROR}`;
  const response = await request('VictoriaLogs', logsUrl, '/select/logsql/query', {
    method: 'POST',
    body: new URLSearchParams({ query, limit: String(limit) }),
    signal,
  });
  if (!response.ok)
    throw new BackendUnavailableError('VictoriaLogs', logsUrl, `HTTP ${response.status}: ${(await response.text()).slice(0, 200)}`);
  return (await response.text())
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => logLineFromRow(JSON.parse(line) as Record<string, unknown>))
    .map((line) => ({
      timeMs: line.epoch_ms,
      service: line.service,
      level: line.severity,
      message: line.message,
      ...(line.trace_id ? { traceId: line.trace_id } : {}),
      ...(line.span_id ? { spanId: line.span_id } : {}),
    }))
    .sort((a, b) => a.timeMs - b.timeMs || a.message.localeCompare(b.message));
}

/**
 * Reads everything a diagnosis needs from the backends.
 * @throws BackendUnavailableError when Jaeger, Prometheus or VictoriaLogs does not answer
 */
export async function loadDiagnosisInput(options: LoadDiagnosisOptions): Promise<DiagnosisInput> {
  const { jaegerUrl, prometheusUrl, logsUrl, window, baseline, traceBudget = 200, logBudget = 300 } = options;
  const limit = limiter(CONCURRENCY);
  // The first failure ends the load: the requests still queued or in flight are cancelled, so a
  // backend that stopped answering costs one timeout, not one per queued search.
  const cancel = new AbortController();
  const { signal } = cancel;
  try {
    const [names, metrics, windowLogs, baselineLogs] = await Promise.all([
      services(jaegerUrl, signal),
      loadMetrics(prometheusUrl, window, baseline, signal),
      loadLogs(logsUrl, window, logBudget, signal),
      loadLogs(logsUrl, baseline, logBudget, signal),
    ]);
    const [windowTraces, baselineTraces] = await Promise.all([
      sampleTraces(jaegerUrl, names, window, traceBudget, limit, signal),
      sampleTraces(jaegerUrl, names, baseline, traceBudget, limit, signal),
    ]);
    return {
      window,
      baseline,
      ...(options.service ? { service: options.service } : {}),
      traces: { window: windowTraces, baseline: baselineTraces },
      metrics,
      logs: { window: windowLogs, baseline: baselineLogs },
    };
  } catch (error) {
    cancel.abort();
    throw error;
  }
}

/** Loads and diagnoses in one call. */
export async function runDiagnosis(options: LoadDiagnosisOptions): Promise<Diagnosis> {
  return diagnose(await loadDiagnosisInput(options));
}
