// Where the console listens and where the backends and services it reads are: the native
// addresses by default (local/addresses.ts, derived from the registries), each overridable
// through the environment (compose points them at container names).
import path from 'node:path';
import { URLS } from '../../local/addresses';
import { readControlToken } from '../../local/control-token';
import { distDir } from '../../local/paths';
import { BACKEND_PORTS } from '../../local/ports';
import { SERVICE_REGISTRY, type ServiceRegistry, serviceUrlVariable } from '../../services/registry';

export interface ConsoleConfig {
  host: string;
  port: number;
  backends: {
    jaeger: string;
    prometheus: string;
    victorialogs: string;
    alertRecorder: string;
    /** The collector's OTLP/HTTP receiver (the browser's spans go there through /otlp/v1/traces). */
    collector: string;
  };
  /** Base URL of every service of the registry, by name. */
  services: Record<string, string>;
  /** Built browser assets (vite build output). */
  assetsDir: string;
  /** Bearer token for the services' control endpoints; held here, never sent to the browser. */
  controlToken: string | undefined;
  /** Where the native runner says what is still building (local/stack-status.ts); none in compose. */
  stackStatusFile?: string;
}

function port(value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0 || parsed > 65_535) throw new Error(`PORT must be an integer 0-65535, got "${value}"`);
  return parsed;
}

/** The configuration from the environment; `registry` names the services (a test passes a copy). */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, registry: ServiceRegistry = SERVICE_REGISTRY): ConsoleConfig {
  return {
    host: env.HOST ?? '127.0.0.1',
    port: port(env.PORT, BACKEND_PORTS.console.http),
    backends: {
      jaeger: env.JAEGER_URL ?? URLS.jaeger,
      prometheus: env.PROMETHEUS_URL ?? URLS.prometheus,
      victorialogs: env.VICTORIALOGS_URL ?? URLS.victorialogs,
      alertRecorder: env.ALERT_RECORDER_URL ?? URLS.alertRecorder,
      collector: env.COLLECTOR_OTLP_URL ?? URLS.collectorOtlpHttp,
    },
    services: Object.fromEntries(
      Object.entries(registry).map(([name, entry]) => [name, env[serviceUrlVariable(name, registry)] ?? `http://127.0.0.1:${entry.port}`]),
    ),
    assetsDir: env.CONSOLE_ASSETS_DIR ?? path.join(distDir, 'console', 'web'),
    controlToken: readControlToken(env),
    ...(env.STACK_STATUS_FILE ? { stackStatusFile: env.STACK_STATUS_FILE } : {}),
  };
}
