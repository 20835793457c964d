// Reading traces, logs and usual durations from the backends, through the backend clients
// (clients/: the global fetch, Node and browsers); every base URL is a parameter.
import { QueryRefusedError } from '../clients/errors';
import { jaegerClient } from '../clients/jaeger';
import { prometheusClient } from '../clients/prometheus';
import { victoriaLogsClient } from '../clients/victorialogs';
import type { UsualDuration } from './compare';
import { BackendUnavailableError, TraceNotFoundError } from './errors';
import { LOG_FIELDS, logLineFromRow, type TraceLogLine } from './logs';
import { normalizeJaegerTrace, parseTraceId, type Trace } from './model';

/** Options of loadTrace. */
export interface LoadTraceOptions {
  /** Jaeger query base URL, e.g. http://127.0.0.1:16686. */
  jaegerUrl: string;
  /**
   * Let Jaeger adjust the trace before answering (its clock-skew correction and de-duplication).
   * Default false: the analysis flags skew itself and should see what the services recorded.
   */
  adjusted?: boolean;
}

/**
 * Loads one trace from Jaeger v2's OTLP JSON API (`/api/v3/traces/{id}`): nanosecond times, span
 * kind, status, events, links and resource attributes as recorded (the legacy API has microseconds
 * and folds those into tags).
 * @throws MalformedTraceIdError, TraceNotFoundError, BackendUnavailableError, UnreadableTraceError
 */
export async function loadTrace(traceId: string, { jaegerUrl, adjusted = false }: LoadTraceOptions): Promise<Trace> {
  const id = parseTraceId(traceId);
  const otlp = await jaegerClient(jaegerUrl).otlpTrace(id, { raw: !adjusted });
  if (otlp === undefined) throw new TraceNotFoundError(id);
  return normalizeJaegerTrace(otlp);
}

/** Options of loadTraceLogs. */
export interface LoadLogsOptions {
  /** VictoriaLogs base URL, e.g. http://127.0.0.1:9428. */
  logsUrl: string;
  /** The trace, when already loaded: narrows the search to its time range (± 5 minutes). */
  trace?: Trace;
  /** At most this many lines (default 1000). */
  limit?: number;
}

const LOG_WINDOW_MS = 5 * 60_000;

/**
 * Loads a trace's log lines from VictoriaLogs (LogsQL on the `trace_id` field, see LOG_FIELDS), in time order.
 * @throws MalformedTraceIdError, BackendUnavailableError
 */
export async function loadTraceLogs(traceId: string, { logsUrl, trace, limit = 1000 }: LoadLogsOptions): Promise<TraceLogLine[]> {
  const id = parseTraceId(traceId);
  let query = `${LOG_FIELDS.traceId}:=${id}`;
  if (trace) {
    const from = new Date(trace.startEpochMs - LOG_WINDOW_MS).toISOString();
    const to = new Date(trace.startEpochMs + trace.durationNs / 1e6 + LOG_WINDOW_MS).toISOString();
    query = `_time:[${from}, ${to}] ${query}`;
  }
  let rows: Record<string, unknown>[];
  try {
    rows = await victoriaLogsClient(logsUrl).query(query, { limit });
  } catch (error) {
    // The query is built here from a checked id: a refusal means the backend is not what it should be.
    if (error instanceof QueryRefusedError) throw new BackendUnavailableError('VictoriaLogs', logsUrl, error.reason);
    throw error;
  }
  return rows.map(logLineFromRow).sort((a, b) => a.epoch_ms - b.epoch_ms);
}

/** A trace found by a search, with its duration. */
export interface FoundTrace {
  traceId: string;
  durationMs: number;
  startEpochMs: number;
}

/** Options of findSlowestTrace. */
export interface FindSlowestOptions {
  jaegerUrl: string;
  /** Service whose traces to search (Jaeger needs one); default "gateway", the entry point. */
  service?: string;
  /** How far back to look, in ms; default 5 minutes. */
  sinceMs?: number;
  /** Traces fetched per search (Jaeger returns the most recent ones); default 200. */
  pageSize?: number;
  /** The end of the range searched; default Date.now(). */
  now?: number;
}

/** Durations per trace id of every span in an OTLP JSON answer. */
function traceDurations(json: unknown): FoundTrace[] {
  const extent = new Map<string, { start: bigint; end: bigint }>();
  const result = (json as { result?: { resourceSpans?: { scopeSpans?: { spans?: Record<string, string>[] }[] }[] } }).result;
  for (const resourceSpan of result?.resourceSpans ?? []) {
    for (const scopeSpans of resourceSpan.scopeSpans ?? []) {
      for (const span of scopeSpans.spans ?? []) {
        const id = String(span.traceId).toLowerCase();
        const start = BigInt(span.startTimeUnixNano ?? '0');
        const end = BigInt(span.endTimeUnixNano ?? '0');
        const known = extent.get(id);
        if (!known) extent.set(id, { start, end });
        else {
          if (start < known.start) known.start = start;
          if (end > known.end) known.end = end;
        }
      }
    }
  }
  return [...extent].map(([traceId, { start, end }]) => ({
    traceId,
    durationMs: Number(end - start) / 1e6,
    startEpochMs: Number(start / 1000n) / 1000,
  }));
}

/**
 * The slowest trace of a service in a recent window, from Jaeger's trace search. When a page comes
 * back full, searches again for traces longer than the slowest seen, so the answer is the slowest
 * of all, not of the newest page. Returns undefined when the window holds no trace.
 * @throws BackendUnavailableError
 */
export async function findSlowestTrace({
  jaegerUrl,
  service = 'gateway',
  sinceMs = 5 * 60_000,
  pageSize = 200,
  now = Date.now(),
}: FindSlowestOptions): Promise<FoundTrace | undefined> {
  const jaeger = jaegerClient(jaegerUrl);
  let slowest: FoundTrace | undefined;
  for (;;) {
    const params = new URLSearchParams({
      'query.service_name': service,
      'query.start_time_min': new Date(now - sinceMs).toISOString(),
      'query.start_time_max': new Date(now).toISOString(),
      'query.num_traces': String(pageSize),
    });
    // Jaeger's duration filter takes a Go duration; asking for "longer than the slowest so far" pages forward.
    if (slowest) params.set('query.duration_min', `${Math.floor(slowest.durationMs * 1000) + 1}us`);
    const answer = await jaeger.searchOtlp(params);
    if (answer === undefined) return slowest;
    const page = traceDurations(answer);
    const best = page.sort((a, b) => b.durationMs - a.durationMs)[0];
    if (!best || (slowest && best.durationMs <= slowest.durationMs)) return slowest;
    slowest = best;
    if (page.length < pageSize) return slowest;
  }
}

/** Options of loadUsualDurations. */
export interface UsualDurationsOptions {
  /** Prometheus base URL, e.g. http://127.0.0.1:9090. */
  prometheusUrl: string;
  /** PromQL range for rate(), default "15m". */
  window?: string;
}

/**
 * p50 and p99 of every operation over a recent window, from the collector's spanmetrics histogram
 * (`traces_span_metrics_duration_milliseconds`). Bucket resolution limits their precision.
 * @throws BackendUnavailableError
 */
export async function loadUsualDurations({ prometheusUrl, window = '15m' }: UsualDurationsOptions): Promise<UsualDuration[]> {
  const by = 'service_name, span_name, span_kind';
  const prometheus = prometheusClient(prometheusUrl);
  const query = async (promql: string) => {
    try {
      return await prometheus.query(promql);
    } catch (error) {
      if (error instanceof QueryRefusedError)
        throw new BackendUnavailableError('Prometheus', prometheusUrl, `query failed: ${error.reason}`);
      throw error;
    }
  };
  const quantile = (q: number) =>
    query(`histogram_quantile(${q}, sum by (le, ${by}) (rate(traces_span_metrics_duration_milliseconds_bucket[${window}])))`);
  const [p50, p99, rate] = await Promise.all([
    quantile(0.5),
    quantile(0.99),
    query(`sum by (${by}) (rate(traces_span_metrics_calls_total[${window}]))`),
  ]);
  const key = (m: Record<string, string>) => JSON.stringify([m.service_name, m.span_name, m.span_kind]);
  const p99s = new Map(p99.map((sample) => [key(sample.metric), Number(sample.value[1])]));
  const rates = new Map(rate.map((sample) => [key(sample.metric), Number(sample.value[1])]));
  return p50
    .filter((sample) => Number.isFinite(Number(sample.value[1])))
    .map((sample) => ({
      service: sample.metric.service_name ?? '',
      operation: sample.metric.span_name ?? '',
      kind: (sample.metric.span_kind ?? '').replace(/^SPAN_KIND_/, '').toLowerCase(),
      p50_ms: Number(sample.value[1]),
      p99_ms: p99s.get(key(sample.metric)) ?? Number.NaN,
      rate: rates.get(key(sample.metric)) ?? 0,
    }));
}
