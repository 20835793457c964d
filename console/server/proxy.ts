// Read-only, same-origin access to the backends' HTTP APIs for the browser: an allow-list of GET
// endpoints per backend, forwarded with their query strings, answers streamed back unchanged.
// A backend that is down or slow becomes a JSON error that says which one and what to do.
import { Readable } from 'node:stream';
import type { Request, Response } from 'express';
import type { ConsoleConfig } from './config';

export type BackendName = keyof ConsoleConfig['backends'];

interface ProxyRoute {
  backend: BackendName;
  label: string;
  /** The backend's own paths (after /api/proxy/<name>/) that may be read. */
  allowed: RegExp;
  /** Query endpoints that also take their arguments as a POST form (still read-only). */
  queryByPost?: RegExp;
}

const UPSTREAM_TIMEOUT_MS = 15_000;

/**
 * /api/proxy/<name>/<path> reads <backend>/<path>: the backends' own paths, so any client of
 * their APIs (the trace analysis library's loaders included) works with the proxy as base URL.
 */
export const PROXY_ROUTES: Record<string, ProxyRoute> = {
  jaeger: {
    backend: 'jaeger',
    label: 'Jaeger',
    allowed:
      /^api\/(traces(\/[0-9a-fA-F]{1,32})?|services(\/[^/]+\/operations)?|operations|dependencies|v3\/traces(\/[0-9a-fA-F]{1,32})?|v3\/services)$/,
  },
  prometheus: {
    backend: 'prometheus',
    label: 'Prometheus',
    allowed: /^api\/v1\/(query|query_range|query_exemplars|series|labels|label\/[\w.]+\/values)$/,
    queryByPost: /^api\/v1\/(query|query_range|query_exemplars)$/,
  },
  logs: {
    backend: 'victorialogs',
    label: 'VictoriaLogs',
    allowed: /^select\/logsql\/(query|hits|stats_query|stats_query_range)$/,
    queryByPost: /^select\/logsql\/(query|hits|stats_query|stats_query_range)$/,
  },
  alerts: { backend: 'alertRecorder', label: 'the alert recorder', allowed: /^alerts$/ },
};

const MAX_QUERY_BYTES = 64 * 1024;

/** The request body as text, or undefined when it is larger than MAX_QUERY_BYTES. */
function readBody(req: Request): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_QUERY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > MAX_QUERY_BYTES ? undefined : Buffer.concat(chunks).toString()));
    req.on('error', reject);
  });
}

export function sendError(res: Response, status: number, code: string, message: string, extra: Record<string, unknown> = {}): void {
  res.status(status).json({ error: { code, message, ...extra } });
}

export function backendDown(res: Response, label: string, backend: string, url: string, error: unknown): void {
  const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
  const why = timedOut ? `did not answer within ${UPSTREAM_TIMEOUT_MS / 1000} s` : 'is not answering';
  sendError(
    res,
    timedOut ? 504 : 502,
    'backend_unavailable',
    `${label} at ${url} ${why}. Start the stack with \`npm start\` (or check its log in .tracelab/logs/${backend}.log).`,
    { backend },
  );
}

/** Express handler for GET /api/<route>/<rest>. */
export function proxyHandler(config: ConsoleConfig) {
  return async (req: Request, res: Response): Promise<void> => {
    const [name, ...restParts] = (req.params.path as unknown as string[] | undefined) ?? [];
    const route = name === undefined ? undefined : PROXY_ROUTES[name];
    const rest = restParts.join('/');
    if (!route?.allowed.test(rest)) {
      sendError(res, 404, 'not_found', `no read-only API at ${req.path}: docs/console.md lists the allowed endpoints`);
      return;
    }
    const postQuery = req.method === 'POST' && route.queryByPost?.test(rest) && req.is('application/x-www-form-urlencoded');
    if (req.method !== 'GET' && req.method !== 'HEAD' && !postQuery) {
      res.setHeader('allow', route.queryByPost?.test(rest) ? 'GET, HEAD, POST (form-encoded query)' : 'GET, HEAD');
      sendError(res, 405, 'method_not_allowed', 'the console proxies the backends read-only: GET, or POST of a form-encoded query');
      return;
    }
    let body: string | undefined;
    if (postQuery) {
      body = await readBody(req);
      if (body === undefined) {
        sendError(res, 413, 'payload_too_large', `a query form is at most ${MAX_QUERY_BYTES / 1024} KiB`);
        return;
      }
    }
    const base = config.backends[route.backend];
    const query = req.originalUrl.includes('?') ? req.originalUrl.slice(req.originalUrl.indexOf('?')) : '';
    let upstream: globalThis.Response;
    try {
      upstream = await fetch(`${base}/${rest}${query}`, {
        method: req.method,
        headers: body === undefined ? {} : { 'content-type': 'application/x-www-form-urlencoded' },
        body: body ?? null,
        signal: AbortSignal.timeout(UPSTREAM_TIMEOUT_MS),
      });
    } catch (error) {
      backendDown(res, route.label, route.backend, base, error);
      return;
    }
    res.status(upstream.status);
    const contentType = upstream.headers.get('content-type');
    if (contentType) res.setHeader('content-type', contentType);
    res.setHeader('cache-control', 'no-store');
    if (!upstream.body) {
      res.end();
      return;
    }
    Readable.fromWeb(upstream.body as import('node:stream/web').ReadableStream).pipe(res);
  };
}
