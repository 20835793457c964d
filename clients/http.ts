// The one HTTP call every backend client makes: the global fetch (Node and browsers), a timeout,
// and "nobody answered" or a 5xx turned into BackendUnavailableError with the reason in words.
import { BackendUnavailableError } from './errors';

export const DEFAULT_TIMEOUT_MS = 10_000;

export interface RequestOptions extends RequestInit {
  /** Give up after this long (default 10 s). */
  timeoutMs?: number;
}

/** fetch of `baseUrl` + `path`; answers below 500 are the caller's to read. */
export async function request(
  backend: string,
  baseUrl: string,
  path: string,
  { timeoutMs = DEFAULT_TIMEOUT_MS, signal, ...init }: RequestOptions = {},
): Promise<Response> {
  const timeout = AbortSignal.timeout(timeoutMs);
  let response: Response;
  try {
    const answer = await fetch(`${baseUrl.replace(/\/+$/, '')}${path}`, {
      ...init,
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    });
    // The body is read inside the same timeout: a backend that answers its headers and then stalls
    // (or streams a large answer slowly on a busy machine) is as unavailable as one that never answers.
    response = new Response(answer.status === 204 || answer.status === 304 ? null : await answer.arrayBuffer(), {
      status: answer.status,
      statusText: answer.statusText,
      headers: answer.headers,
    });
  } catch (error) {
    if (signal?.aborted) throw error; // the caller gave up: not the backend's fault
    // Node's fetch puts the real reason (ECONNREFUSED, bad port, …) in `cause`; browsers give none.
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const reason =
      (error as Error).name === 'TimeoutError'
        ? `no answer within ${timeoutMs / 1000} s`
        : (cause?.code ?? cause?.message ?? (error as Error).message);
    throw new BackendUnavailableError(backend, baseUrl, reason === 'ECONNREFUSED' ? 'connection refused' : reason);
  }
  if (response.status >= 500) {
    const body = (await response.text()).slice(0, 200);
    throw new BackendUnavailableError(backend, baseUrl, `HTTP ${response.status}${body ? `: ${body.trim()}` : ''}`);
  }
  return response;
}

/** Fails with BackendUnavailableError unless the answer is 2xx. */
export async function expectOk(backend: string, baseUrl: string, response: Response): Promise<Response> {
  if (!response.ok)
    throw new BackendUnavailableError(backend, baseUrl, `HTTP ${response.status}: ${(await response.text()).slice(0, 200)}`);
  return response;
}
