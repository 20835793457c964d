// Jaeger's query API: a trace and a trace search in OTLP JSON (api/v3, nanosecond times, as
// recorded), and a trace in the legacy JSON the e2e tests and the bench read (api/traces).
import { expectOk, request } from './http';

export interface JaegerSpan {
  traceID: string;
  spanID: string;
  operationName: string;
  references: { refType: string; traceID: string; spanID: string }[];
  processID: string;
  tags: { key: string; value: unknown }[];
  logs: { fields: { key: string; value: unknown }[] }[];
}

export interface JaegerTrace {
  traceID: string;
  spans: JaegerSpan[];
  processes: Record<string, { serviceName: string; tags: { key: string; value: unknown }[] }>;
}

const BACKEND = 'Jaeger';

export function jaegerClient(baseUrl: string) {
  /** The JSON of a 2xx answer; undefined for 404 (Jaeger's "no such trace" and "no traces found"). */
  const json = async (path: string): Promise<unknown> => {
    const response = await request(BACKEND, baseUrl, path);
    if (response.status === 404) {
      await response.body?.cancel();
      return undefined;
    }
    return (await expectOk(BACKEND, baseUrl, response)).json();
  };
  return {
    baseUrl,
    /** One trace in OTLP JSON; `raw`: as the services recorded it (no clock-skew adjustment). Undefined when unknown. */
    otlpTrace: (traceId: string, { raw = true }: { raw?: boolean } = {}) =>
      json(`/api/v3/traces/${traceId}${raw ? '?raw_traces=true' : ''}`),
    /** The services Jaeger holds traces of. */
    async services(): Promise<string[]> {
      const body = (await json('/api/v3/services')) as { services?: unknown[] } | undefined;
      return (body?.services ?? []).filter((s): s is string => typeof s === 'string');
    },
    /** A trace search (query.service_name, query.operation_name, query.start_time_min, …) in OTLP JSON; undefined when nothing matches. */
    searchOtlp: (params: URLSearchParams) => json(`/api/v3/traces?${params}`),
    /** One trace in the legacy JSON (microseconds, tags); undefined when Jaeger does not have it. */
    async trace(traceId: string): Promise<JaegerTrace | undefined> {
      const body = (await json(`/api/traces/${traceId}`)) as { data?: JaegerTrace[] } | undefined;
      return body?.data?.[0];
    },
  };
}

export type JaegerClient = ReturnType<typeof jaegerClient>;
