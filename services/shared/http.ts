// HTTP plumbing every service shares: JSON parsing with a size limit, schema validation,
// 404/405 for unknown routes and methods, an error handler that never leaks a stack trace,
// the access log and the in-flight gauge. Every client mistake becomes a 4xx JSON error that
// names the problem, and is logged at warn with the request's trace id.

import { context, metrics, trace } from '@opentelemetry/api';
import express, {
  type ErrorRequestHandler,
  type Express,
  type NextFunction,
  type Request,
  type RequestHandler,
  type Response,
} from 'express';
import type { ZodType } from 'zod';
import type { Logger } from './logger';

export const BODY_LIMIT = '16kb';

export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

/** An error whose status and message are safe to show the caller. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export function sendError(res: Response, error: HttpError): void {
  const body: ErrorBody = { error: { code: error.code, message: error.message } };
  if (error.details !== undefined) body.error.details = error.details;
  res.status(error.status).json(body);
}

/** Validates req.body against a schema; the parsed value replaces the body. */
export function validateBody(schema: ZodType): RequestHandler {
  return (req, _res, next) => {
    if (!req.is('application/json')) {
      next(new HttpError(415, 'unsupported_media_type', 'request body must be JSON (Content-Type: application/json)'));
      return;
    }
    const result = schema.safeParse(req.body);
    if (!result.success) {
      const details = result.error.issues.map((issue) => ({
        path: issue.path.join('.') || '(body)',
        message: issue.message,
      }));
      const summary = details.map((d) => `${d.path}: ${d.message}`).join('; ');
      next(new HttpError(400, 'invalid_request', `invalid request body: ${summary}`, details));
      return;
    }
    req.body = result.data;
    next();
  };
}

/** For a known path called with the wrong method. */
export function methodNotAllowed(allowed: string[]): RequestHandler {
  return (req, res, next) => {
    res.setHeader('Allow', allowed.join(', '));
    next(new HttpError(405, 'method_not_allowed', `${req.method} is not allowed on ${req.path}; use ${allowed.join(' or ')}`));
  };
}

const inFlight = metrics.getMeter('tracelab-http').createUpDownCounter('http.server.active_requests', {
  description: 'Requests being served right now (saturation)',
  unit: '{request}',
});

/**
 * One access-log line per request, the in-flight gauge, and the W3C `traceresponse` header so a
 * caller can find the trace of its request. The log callback is bound to the request's context
 * so the line carries the same trace and span ids as the header.
 */
function accessLog(logger: Logger): RequestHandler {
  return function accessLog(req, res, next) {
    const started = process.hrtime.bigint();
    const spanContext = trace.getActiveSpan()?.spanContext();
    if (spanContext) {
      const flags = spanContext.traceFlags.toString(16).padStart(2, '0');
      res.setHeader('traceresponse', `00-${spanContext.traceId}-${spanContext.spanId}-${flags}`);
    }
    const attributes = { 'http.request.method': req.method };
    inFlight.add(1, attributes);
    // 'close' also fires when the client goes away mid-request, so the gauge never leaks.
    res.on(
      'close',
      context.bind(context.active(), () => {
        inFlight.add(-1, attributes);
        const line = {
          'http.request.method': req.method,
          'http.route': req.route?.path ?? req.path,
          'http.response.status_code': res.statusCode,
          duration_ms: Number(process.hrtime.bigint() - started) / 1e6,
        };
        if (req.path === '/healthz' || req.path === '/readyz') logger.debug(line, 'request completed');
        else if (res.statusCode >= 500) logger.error(line, 'request completed');
        else if (res.statusCode >= 400) logger.warn(line, 'request completed');
        else logger.info(line, 'request completed');
      }),
    );
    next();
  };
}

/** The common head of every service's app. */
export function createBaseApp(logger: Logger): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(accessLog(logger), express.json({ limit: BODY_LIMIT }));
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  return app;
}

/** Body-parser errors carry a status and a `type`; map the client ones to clear messages. */
function fromBodyParser(error: unknown): HttpError | undefined {
  const e = error as { type?: string; status?: number };
  switch (e.type) {
    case 'entity.parse.failed':
      return new HttpError(400, 'invalid_json', 'request body is not valid JSON');
    case 'entity.too.large':
      return new HttpError(413, 'payload_too_large', `request body exceeds the ${BODY_LIMIT} limit`);
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new HttpError(415, 'unsupported_encoding', 'request body encoding or charset is not supported');
    default:
      return e.status && e.status >= 400 && e.status < 500 ? new HttpError(e.status, 'bad_request', 'malformed request') : undefined;
  }
}

/** The common tail: 404 for unknown routes, then the error handler. */
export function finishApp(app: Express, logger: Logger): Express {
  app.use((req: Request, _res: Response, next: NextFunction) => {
    next(new HttpError(404, 'not_found', `no route for ${req.method} ${req.path}`));
  });
  const handler: ErrorRequestHandler = (error: unknown, req, res, _next) => {
    const clientError = error instanceof HttpError ? error : fromBodyParser(error);
    if (clientError && clientError.status < 500) {
      logger.warn({ code: clientError.code, problem: clientError.message, 'http.route': req.route?.path ?? req.path }, 'bad request');
      sendError(res, clientError);
      return;
    }
    const span = trace.getActiveSpan();
    if (error instanceof Error) span?.recordException(error);
    logger.error({ err: error }, 'unhandled error');
    sendError(res, clientError ?? new HttpError(500, 'internal_error', 'internal error'));
  };
  app.use(handler);
  return app;
}
