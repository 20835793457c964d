// Helpers for e2e tests against the real backends: their HTTP APIs, polled with a deadline.
import { inject } from 'vitest';
import { type JaegerSpan, type JaegerTrace, jaegerClient } from '../../clients/jaeger';
import { type PromSample, prometheusClient } from '../../clients/prometheus';
import { victoriaLogsClient } from '../../clients/victorialogs';
import { eventually } from '../../clients/wait';
import { URLS } from '../../local/addresses';
import { SERVICE_NAMES } from '../../services/registry';
import { predictAt, setModelBehaviourAt } from '../support/requests';

export { FEATURES, randomHex } from '../support/requests';
export { eventually, type JaegerSpan, type JaegerTrace, type PromSample, SERVICE_NAMES, URLS };

const jaeger = jaegerClient(URLS.jaeger);
const prometheus = prometheusClient(URLS.prometheus);
const victorialogs = victoriaLogsClient(URLS.victorialogs);

export const predict = (headers: Record<string, string> = {}, body?: unknown) => predictAt(URLS.gateway, headers, body);

export const setModelBehaviour = (update: Record<string, number>) =>
  setModelBehaviourAt(URLS.modelInference, inject('controlToken'), update);

export const HEALTHY_MODEL = { latency_median_ms: 20, latency_p99_ms: 80, error_rate: 0 };

/**
 * Makes the model healthy and waits until the gateway uses it again: after a burst of failures
 * the circuit may be open, and stays so until a half-open trial succeeds.
 */
export async function restoreHealthyModel(): Promise<void> {
  await setModelBehaviour(HEALTHY_MODEL);
  await untilModelAnswers();
}

/** Waits until the gateway answers from the model (after failures the circuit may still be open). */
export const untilModelAnswers = () =>
  eventually(async () => ((await predict()).body.source === 'model' ? true : undefined), {
    timeoutMs: 30_000,
    intervalMs: 250,
    what: 'the gateway to answer from the model again',
  });

/** Kills (SIGKILL, or a clean SIGTERM stop) or restarts a process of the stack started by global-setup. */
export async function stackControl(action: 'kill' | 'restart', name: string, signal: 'SIGKILL' | 'SIGTERM' = 'SIGKILL'): Promise<void> {
  const response = await fetch(`${inject('stackControlUrl')}/${action}/${name}?signal=${signal}`, { method: 'POST' });
  if (!response.ok) throw new Error(`${action} ${name}: ${response.status} ${await response.text()}`);
}

/** Runs `one` `count` times, `concurrency` at a time; the results in completion order. */
export async function concurrently<T>(count: number, concurrency: number, one: () => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  let started = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (started < count) {
        started++;
        results.push(await one());
      }
    }),
  );
  return results;
}

/** Sends `count` predictions, `concurrency` at a time; returns their HTTP statuses. */
export async function burst(count: number, concurrency = 8, body?: unknown): Promise<number[]> {
  return (await concurrently(count, concurrency, () => predict({}, body))).map((answer) => answer.status);
}

export const jaegerTrace = (traceId: string): Promise<JaegerTrace | undefined> => jaeger.trace(traceId);

/** The model monitor's batch traces that started after `sinceMs`, in Jaeger's legacy JSON (links as FOLLOWS_FROM). */
export async function batchTracesSince(sinceMs: number, limit = 50): Promise<JaegerTrace[]> {
  const params = new URLSearchParams({
    service: 'model-inference',
    operation: 'process tracelab.predictions',
    start: String(sinceMs * 1000),
    limit: String(limit),
  });
  const body = (await (await fetch(`${URLS.jaeger}/api/traces?${params}`)).json()) as { data: JaegerTrace[] | null };
  return body.data ?? [];
}

export const tag = (span: JaegerSpan, key: string) => span.tags.find((t) => t.key === key)?.value;
export const serviceOf = (t: JaegerTrace, span: JaegerSpan) => t.processes[span.processID]!.serviceName;

/** The services that served a span of the trace. */
export function serverServices(t: JaegerTrace): Set<string> {
  return new Set(t.spans.filter((s) => tag(s, 'span.kind') === 'server').map((s) => serviceOf(t, s)));
}

/** Waits until Jaeger has the trace with server spans from every named service. */
export function waitForTrace(traceId: string, services: string[], timeoutMs = 60_000): Promise<JaegerTrace> {
  return eventually(
    async () => {
      const t = await jaegerTrace(traceId);
      if (!t) return undefined;
      const servers = serverServices(t);
      return services.every((s) => servers.has(s)) ? t : undefined;
    },
    { timeoutMs, intervalMs: 500, what: `trace ${traceId} in Jaeger with ${services.join(', ')}` },
  );
}

/**
 * Waits until Jaeger has all of a trace whose shape is not known in advance: a root span, and a
 * server span under every client span (each service exports its spans in its own batches, so a
 * trace arrives in parts).
 */
export function waitForCompleteTrace(traceId: string, timeoutMs = 60_000): Promise<JaegerTrace> {
  return eventually(
    async () => {
      const t = await jaegerTrace(traceId);
      if (!t) return undefined;
      const parents = new Set(t.spans.flatMap((s) => s.references.map((r) => r.spanID)));
      const hasRoot = t.spans.some((s) => s.references.length === 0);
      const clientsAnswered = t.spans.filter((s) => tag(s, 'span.kind') === 'client').every((s) => parents.has(s.spanID));
      return hasRoot && clientsAnswered ? t : undefined;
    },
    { timeoutMs, intervalMs: 500, what: `all of trace ${traceId} in Jaeger` },
  );
}

/** The trace id of the newest exemplar of a series since `sinceMs`, as Grafana's exemplar dots show it. */
export function newestExemplarTraceId(query: string, sinceMs: number): Promise<string> {
  return eventually(
    async () => {
      const series = await prometheus.exemplars(query, sinceMs / 1000, Date.now() / 1000 + 60);
      const newest = series
        .flatMap((s) => s.exemplars)
        .filter((e) => e.labels.trace_id)
        .sort((a, b) => b.timestamp - a.timestamp)[0];
      return newest?.labels.trace_id;
    },
    { timeoutMs: 60_000, intervalMs: 1000, what: `an exemplar with a trace_id on ${query}` },
  );
}

export const promQuery = (query: string): Promise<PromSample[]> => prometheus.query(query);

/** Waits until a PromQL query returns at least one series. */
export function waitForSeries(query: string, timeoutMs = 90_000): Promise<PromSample[]> {
  return eventually(async () => ((await promQuery(query)).length ? promQuery(query) : undefined), {
    timeoutMs,
    intervalMs: 1000,
    what: `PromQL ${query} to return data`,
  });
}

/** LogsQL query against VictoriaLogs; the answer is one JSON object per line. */
export const logsQuery = (query: string, limit = 100): Promise<Record<string, string>[]> =>
  victorialogs.query<Record<string, string>>(query, { limit });

/** Waits until a LogsQL query returns records (and, if given, until `complete` accepts them). */
export function waitForLogs(
  query: string,
  complete: (rows: Record<string, string>[]) => boolean = (rows) => rows.length > 0,
  timeoutMs = 60_000,
): Promise<Record<string, string>[]> {
  return eventually(
    async () => {
      const rows = await logsQuery(query);
      return complete(rows) ? rows : undefined;
    },
    { timeoutMs, intervalMs: 1000, what: `LogsQL ${query} to return the expected records` },
  );
}
