// Prometheus's HTTP API: instant and range queries returning typed samples, and exemplars.
import { QueryRefusedError } from './errors';
import { type RequestOptions, request } from './http';

/** One series of an instant query. */
export interface PromSample {
  metric: Record<string, string>;
  value: [number, string];
}

/** One series of a range query. */
export interface PromRangeSeries {
  metric: Record<string, string>;
  values: [number, string][];
}

export interface PromExemplars {
  seriesLabels: Record<string, string>;
  exemplars: { labels: Record<string, string>; value: string; timestamp: number }[];
}

const BACKEND = 'Prometheus';

export function prometheusClient(baseUrl: string, options: Pick<RequestOptions, 'timeoutMs'> = {}) {
  /** `data` of a successful answer; a query Prometheus refuses is a QueryRefusedError. */
  const data = async <T>(endpoint: string, params: Record<string, string>, signal?: AbortSignal): Promise<T> => {
    const response = await request(BACKEND, baseUrl, `/api/v1/${endpoint}?${new URLSearchParams(params)}`, {
      ...options,
      ...(signal ? { signal } : {}),
    });
    const body = (await response.json().catch(() => ({ status: 'error', error: `HTTP ${response.status}` }))) as {
      status: string;
      data?: T;
      error?: string;
    };
    if (body.status !== 'success') throw new QueryRefusedError(BACKEND, params.query ?? endpoint, String(body.error));
    return body.data as T;
  };
  return {
    baseUrl,
    /** An instant query, at `time` (s since the epoch) or now. */
    query: async (promql: string, { time, signal }: { time?: number; signal?: AbortSignal } = {}) =>
      (await data<{ result: PromSample[] }>('query', { query: promql, ...(time === undefined ? {} : { time: String(time) }) }, signal))
        .result,
    /** A range query from `start` to `end` (s since the epoch) every `step` s. */
    queryRange: async (promql: string, start: number, end: number, step: number, signal?: AbortSignal) =>
      (
        await data<{ result: PromRangeSeries[] }>(
          'query_range',
          { query: promql, start: String(start), end: String(end), step: String(step) },
          signal,
        )
      ).result,
    /** The exemplars of the series a query selects between `start` and `end` (s since the epoch). */
    exemplars: async (promql: string, start: number, end: number, signal?: AbortSignal) =>
      (await data<PromExemplars[] | null>('query_exemplars', { query: promql, start: String(start), end: String(end) }, signal)) ?? [],
  };
}

export type PrometheusClient = ReturnType<typeof prometheusClient>;
