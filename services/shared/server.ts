// Listens, and shuts down cleanly: stop accepting, finish in-flight requests, flush telemetry.

import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Express } from 'express';
import { z } from 'zod';
import type { Logger } from './logger';
import { shutdownTelemetry } from './telemetry';

/** Parses the environment with a schema and exits with the named problems if it is wrong. */
export function readConfig<T>(schema: z.ZodType<T>, logger: Logger, env: NodeJS.ProcessEnv = process.env): T {
  const result = schema.safeParse(env);
  if (!result.success) {
    logger.fatal({ problems: result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`) }, 'invalid configuration');
    process.exit(2);
  }
  return result.data;
}

/** HOST and PORT, common to every service. */
export const listenSchema = (defaultPort: number) => ({
  HOST: z.string().default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(defaultPort),
});

/**
 * CONTROL_TOKEN, common to every service: the bearer token of /v1/control; unset or empty
 * disables the endpoint. (Here, not in control.ts: config modules load before the telemetry SDK
 * and must not import express.)
 */
export const controlTokenShape = {
  CONTROL_TOKEN: z.preprocess((v) => (v === '' ? undefined : v), z.string().min(8).optional()),
};

/**
 * Requests Node's HTTP parser rejects before Express sees them (headers over Node's 16 KiB limit,
 * broken request lines) get the services' JSON error shape instead of Node's empty answer. Kept
 * here, free of imports: config modules load this file before the telemetry SDK patches HTTP.
 */
function answerUnparsableRequests(server: Server, logger: Logger): void {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (!socket.writable || error.code === 'ECONNRESET') {
      socket.destroy();
      return;
    }
    const [status, reason, code, message] =
      error.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'Request Header Fields Too Large', 'headers_too_large', 'request headers exceed the 16 KiB limit']
        : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? [408, 'Request Timeout', 'request_timeout', 'request was not received in time']
          : [400, 'Bad Request', 'malformed_request', 'request is not valid HTTP'];
    const body = JSON.stringify({ error: { code, message } });
    socket.end(
      `HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
    logger.warn({ code, problem: message }, 'bad request');
  });
}

const shutdownHooks: (() => Promise<void>)[] = [];

/** Work to finish when the process is told to stop, before the telemetry is flushed (e.g. publish pending events). */
export function onShutdown(hook: () => Promise<void>): void {
  shutdownHooks.push(hook);
}

export function serve(app: Express, options: { host: string; port: number; name: string; logger: Logger }): Server {
  const { host, port, name, logger } = options;
  const server = app.listen(port, host, () => {
    logger.info({ host, port }, `${name} listening`);
  });
  answerUnparsableRequests(server, logger);
  const stop = (signal: string) => {
    logger.info({ signal }, `${name} shutting down`);
    server.close(() => {
      void Promise.allSettled(shutdownHooks.map((hook) => hook()))
        .then(() => shutdownTelemetry())
        .then(() => process.exit(0));
    });
    server.closeIdleConnections();
    setTimeout(() => process.exit(0), 5000).unref();
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  return server;
}
