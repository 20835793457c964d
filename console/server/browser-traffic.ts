// What the console's "send a prediction" form needs from its own origin, so the browser never
// talks to another one (no CORS anywhere):
//   POST /otlp/v1/traces       the browser's spans (OTLP/HTTP, JSON or protobuf) → the collector
//   POST /api/gateway/predict  the prediction → the gateway's POST /v1/predict, with the W3C
//                              trace context headers, so the browser's span is the trace's root
// Both accept requests from the console's own pages only (Origin / Sec-Fetch-Site), bounded in
// size (413) and rate (429), each refusal a JSON error that says why.
import type { NextFunction, Request, Response } from 'express';
import type { ConsoleConfig } from './config';
import { sendError } from './proxy';

/** Largest OTLP export accepted: a form's few spans take a few KiB. */
export const MAX_OTLP_BYTES = 512 * 1024;
/** Largest prediction request body. */
export const MAX_PREDICT_BYTES = 16 * 1024;
const UPSTREAM_TIMEOUT_MS = 15_000;
/** Headers of the W3C trace context and baggage, forwarded to the gateway. */
const CONTEXT_HEADERS = ['traceparent', 'tracestate', 'baggage'];

/** A token bucket: `burst` requests at once, refilled at `perSecond`. */
export class RateLimit {
  private tokens: number;
  private last: number;

  constructor(
    private readonly burst: number,
    private readonly perSecond: number,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = burst;
    this.last = now();
  }

  /** Takes one token; the seconds to wait when there is none. */
  take(): { ok: true } | { ok: false; retryAfterS: number } {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.perSecond);
    this.last = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfterS: Math.ceil((1 - this.tokens) / this.perSecond) };
  }
}

/**
 * Only the console's own pages: a browser sends Origin on every POST and Sec-Fetch-Site on every
 * request; one of them must be there, and each present must say same origin. A request from
 * another site, or from a client that says nothing (curl), is refused.
 */
export function sameOriginOnly(what: string) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const site = req.get('sec-fetch-site');
    const origin = req.get('origin');
    const own = `${req.protocol}://${req.get('host')}`;
    if ((!site && !origin) || (site && site !== 'same-origin') || (origin && origin !== own)) {
      sendError(res, 403, 'cross_origin', `${what} is accepted from the console's own pages only (same origin)`);
      return;
    }
    next();
  };
}

export function rateLimited(limit: RateLimit, what: string) {
  return (_req: Request, res: Response, next: NextFunction): void => {
    const taken = limit.take();
    if (!taken.ok) {
      res.setHeader('retry-after', String(taken.retryAfterS));
      sendError(res, 429, 'rate_limited', `too many ${what}: try again in ${taken.retryAfterS} s`);
      return;
    }
    next();
  };
}

/** The body as bytes, or undefined once it passes `max` (then the request is drained, not kept). */
function readBody(req: Request, max: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= max) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > max ? undefined : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

async function forward(
  res: Response,
  url: string,
  label: string,
  init: { headers: Record<string, string>; body: Uint8Array<ArrayBuffer> },
): Promise<void> {
  let upstream: globalThis.Response;
  try {
    upstream = await fetch(url, { method: 'POST', ...init, signal: AbortSignal.timeout(UPSTREAM_TIMEOUT_MS) });
  } catch {
    sendError(res, 502, 'backend_unavailable', `${label} at ${url} is not answering. Start the stack with \`npm start\`.`);
    return;
  }
  res.status(upstream.status);
  const type = upstream.headers.get('content-type');
  if (type) res.setHeader('content-type', type);
  res.setHeader('cache-control', 'no-store');
  res.end(Buffer.from(await upstream.arrayBuffer()));
}

const OTLP_TYPES = ['application/json', 'application/x-protobuf'];

/** POST /otlp/v1/traces: an OTLP/HTTP trace export, forwarded to the collector unchanged. */
export function otlpHandler(config: Pick<ConsoleConfig, 'backends' | 'services'>) {
  return async (req: Request, res: Response): Promise<void> => {
    const type = (req.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    if (!OTLP_TYPES.includes(type)) {
      sendError(res, 415, 'otlp_required', `an OTLP/HTTP trace export is ${OTLP_TYPES.join(' or ')}, not "${type || 'no content type'}"`);
      return;
    }
    if (Number(req.get('content-length') ?? 0) > MAX_OTLP_BYTES) {
      sendError(res, 413, 'payload_too_large', `an export is at most ${MAX_OTLP_BYTES / 1024} KiB`);
      return;
    }
    const body = await readBody(req, MAX_OTLP_BYTES);
    if (!body) {
      sendError(res, 413, 'payload_too_large', `an export is at most ${MAX_OTLP_BYTES / 1024} KiB`);
      return;
    }
    await forward(res, `${config.backends.collector}/v1/traces`, 'The collector', {
      headers: { 'content-type': type },
      body: new Uint8Array(body),
    });
  };
}

/** POST /api/gateway/predict: a prediction, forwarded to the gateway with its trace context headers. */
export function predictHandler(config: Pick<ConsoleConfig, 'backends' | 'services'>) {
  return async (req: Request, res: Response): Promise<void> => {
    if (!req.is('application/json')) {
      sendError(res, 415, 'json_required', 'a prediction is a JSON body (content-type: application/json)');
      return;
    }
    const body = await readBody(req, MAX_PREDICT_BYTES);
    if (!body) {
      sendError(res, 413, 'payload_too_large', `a prediction request is at most ${MAX_PREDICT_BYTES / 1024} KiB`);
      return;
    }
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    for (const name of CONTEXT_HEADERS) {
      const value = req.get(name);
      if (value) headers[name] = value;
    }
    await forward(res, `${config.services.gateway}/v1/predict`, 'The gateway', { headers, body: new Uint8Array(body) });
  };
}
