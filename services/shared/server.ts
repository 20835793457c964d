// Listens, and shuts down cleanly: stop accepting, finish in-flight requests, flush telemetry.

import type { Server } from 'node:http';
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

export function serve(app: Express, options: { host: string; port: number; name: string; logger: Logger }): Server {
  const { host, port, name, logger } = options;
  const server = app.listen(port, host, () => {
    logger.info({ host, port }, `${name} listening`);
  });
  const stop = (signal: string) => {
    logger.info({ signal }, `${name} shutting down`);
    server.close(() => {
      void shutdownTelemetry().then(() => process.exit(0));
    });
    server.closeIdleConnections();
    setTimeout(() => process.exit(0), 5000).unref();
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  return server;
}
