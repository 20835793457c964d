// Where the console listens and where the backends it reads are: native defaults, each
// overridable through the environment (compose points them at container names).
import fs from 'node:fs';
import path from 'node:path';
import { distDir, stateDir } from '../../tools/paths';

export interface ConsoleConfig {
  host: string;
  port: number;
  backends: {
    jaeger: string;
    prometheus: string;
    victorialogs: string;
    alertRecorder: string;
    gateway: string;
    modelInference: string;
    fallbackRules: string;
    /** The collector's OTLP/HTTP receiver (the browser's spans go there through /otlp/v1/traces). */
    collector: string;
  };
  /** Built browser assets (vite build output). */
  assetsDir: string;
  /** Bearer token for the services' control endpoints; held here, never sent to the browser. */
  controlToken: string | undefined;
}

/** The file the native runner writes the control token to (mode 0600). */
export const controlTokenFile = path.join(stateDir, 'control-token');

export function readControlToken(env: NodeJS.ProcessEnv = process.env, file = controlTokenFile): string | undefined {
  if (env.CONTROL_TOKEN) return env.CONTROL_TOKEN;
  try {
    return fs.readFileSync(file, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

function port(value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0 || parsed > 65_535) throw new Error(`PORT must be an integer 0-65535, got "${value}"`);
  return parsed;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): ConsoleConfig {
  return {
    host: env.HOST ?? '127.0.0.1',
    port: port(env.PORT, 8090),
    backends: {
      jaeger: env.JAEGER_URL ?? 'http://127.0.0.1:16686',
      prometheus: env.PROMETHEUS_URL ?? 'http://127.0.0.1:9090',
      victorialogs: env.VICTORIALOGS_URL ?? 'http://127.0.0.1:9428',
      alertRecorder: env.ALERT_RECORDER_URL ?? 'http://127.0.0.1:9099',
      gateway: env.GATEWAY_URL ?? 'http://127.0.0.1:8080',
      modelInference: env.MODEL_URL ?? 'http://127.0.0.1:8081',
      fallbackRules: env.FALLBACK_URL ?? 'http://127.0.0.1:8082',
      collector: env.COLLECTOR_OTLP_URL ?? 'http://127.0.0.1:4318',
    },
    assetsDir: env.CONSOLE_ASSETS_DIR ?? path.join(distDir, 'console', 'web'),
    controlToken: readControlToken(env),
  };
}
