// Every backend call of the browser goes to the console server (same origin): the read-only
// proxy under /api/proxy/<backend>/…, lab actions under /api/lab, documents under /api/docs.

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly backend?: string,
  ) {
    super(message);
  }
}

async function send(path: string, init?: RequestInit): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(path, init);
  } catch {
    throw new ApiError(0, 'console_unreachable', 'the console server is not answering: is `npm start` still running?');
  }
  if (!response.ok) {
    const body = (await response.json().catch(() => undefined)) as
      | { error?: { code?: string; message?: string; backend?: string } }
      | undefined;
    throw new ApiError(
      response.status,
      body?.error?.code ?? 'http_error',
      body?.error?.message ?? `${path} answered ${response.status} ${response.statusText}`,
      body?.error?.backend,
    );
  }
  return response;
}

export async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  return (await send(path, { signal: signal ?? null })).json() as Promise<T>;
}

export async function getText(path: string, signal?: AbortSignal): Promise<string> {
  return (await send(path, { signal: signal ?? null })).text();
}

export async function postJson<T>(path: string, body: unknown = {}): Promise<T> {
  return (
    await send(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  ).json() as Promise<T>;
}

export const query = (params: Record<string, string | number | undefined>) =>
  new URLSearchParams(Object.entries(params).flatMap(([k, v]) => (v === undefined || v === '' ? [] : [[k, String(v)]]))).toString();

export const jaeger = <T>(path: string, params: Record<string, string | number | undefined> = {}, signal?: AbortSignal) =>
  getJson<T>(`/api/proxy/jaeger/api/${path}${Object.keys(params).length ? `?${query(params)}` : ''}`, signal);

export interface PromSeries {
  metric: Record<string, string>;
  values?: [number, string][];
  value?: [number, string];
}

export async function promQuery(expr: string, signal?: AbortSignal): Promise<PromSeries[]> {
  const body = await getJson<{ data: { result: PromSeries[] } }>(`/api/proxy/prometheus/api/v1/query?${query({ query: expr })}`, signal);
  return body.data.result;
}

export async function promRange(expr: string, startS: number, endS: number, stepS: number, signal?: AbortSignal): Promise<PromSeries[]> {
  const body = await getJson<{ data: { result: PromSeries[] } }>(
    `/api/proxy/prometheus/api/v1/query_range?${query({ query: expr, start: startS, end: endS, step: stepS })}`,
    signal,
  );
  return body.data.result;
}

export interface Exemplar {
  labels: Record<string, string>;
  value: string;
  timestamp: number;
}

export async function promExemplars(
  expr: string,
  startS: number,
  endS: number,
  signal?: AbortSignal,
): Promise<{ seriesLabels: Record<string, string>; exemplars: Exemplar[] }[]> {
  const body = await getJson<{ data: { seriesLabels: Record<string, string>; exemplars: Exemplar[] }[] }>(
    `/api/proxy/prometheus/api/v1/query_exemplars?${query({ query: expr, start: startS, end: endS })}`,
    signal,
  );
  return body.data ?? [];
}
