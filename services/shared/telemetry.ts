// The one telemetry bootstrap every service loads (via its instrumentation.ts, with `--require`,
// before any application module): CommonJS + --require lets require-in-the-middle patch
// express, http and pino without an ESM loader hook.
//
// Configuration is only the standard OTEL_* environment variables; this file fills in defaults
// for those the operator left unset, then lets the SDK read them.

import type { IncomingMessage } from 'node:http';
import { getNodeAutoInstrumentations } from '@opentelemetry/auto-instrumentations-node';
import { NodeSDK } from '@opentelemetry/sdk-node';

export interface TelemetryDefaults {
  serviceName: string;
  serviceVersion: string;
  /** Port of this service's Prometheus /metrics endpoint (OTEL_EXPORTER_PROMETHEUS_PORT). */
  prometheusPort: number;
  /**
   * Downstream origins (scheme://host:port) and the service behind each: client spans get
   * `peer.service`, so span metrics can show each edge of the request path by name.
   */
  peerServices?: Record<string, string>;
}

/** Paths that are probed every few seconds: tracing them would bury the interesting traces. */
const UNTRACED_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

let sdk: NodeSDK | undefined;

export function applyTelemetryDefaults(defaults: TelemetryDefaults, env: NodeJS.ProcessEnv = process.env): void {
  env.OTEL_SERVICE_NAME ||= defaults.serviceName;
  env.OTEL_EXPORTER_OTLP_ENDPOINT ||= 'http://127.0.0.1:4318';
  env.OTEL_EXPORTER_OTLP_PROTOCOL ||= 'http/protobuf';
  env.OTEL_TRACES_EXPORTER ||= 'otlp';
  env.OTEL_LOGS_EXPORTER ||= 'otlp';
  env.OTEL_METRICS_EXPORTER ||= 'prometheus';
  env.OTEL_EXPORTER_PROMETHEUS_HOST ||= '127.0.0.1';
  env.OTEL_EXPORTER_PROMETHEUS_PORT ||= String(defaults.prometheusPort);
  // router: Express 5 duplicates middleware spans with it; fs/dns/net: noise for these lessons.
  env.OTEL_NODE_DISABLED_INSTRUMENTATIONS ??= 'router,fs,dns,net';
  // Operator-supplied attributes come last so they win over these defaults.
  env.OTEL_RESOURCE_ATTRIBUTES = [
    `service.version=${defaults.serviceVersion}`,
    'deployment.environment.name=dev',
    env.OTEL_RESOURCE_ATTRIBUTES,
  ]
    .filter(Boolean)
    .join(',');
}

export function startTelemetry(defaults: TelemetryDefaults): void {
  applyTelemetryDefaults(defaults);
  sdk = new NodeSDK({
    instrumentations: [
      getNodeAutoInstrumentations({
        '@opentelemetry/instrumentation-undici': {
          startSpanHook: (request: { origin: string }) => {
            const peer = defaults.peerServices?.[new URL(request.origin).origin];
            return peer ? { 'peer.service': peer } : {};
          },
        },
        '@opentelemetry/instrumentation-http': {
          ignoreIncomingRequestHook: (request: IncomingMessage) => UNTRACED_PATHS.has((request.url ?? '').split('?')[0]!),
        },
      }),
    ],
  });
  sdk.start();
}

/** Flushes what is buffered; bounded so a dead collector cannot hold up process exit. */
export async function shutdownTelemetry(timeoutMs = 2000): Promise<void> {
  if (!sdk) return;
  await Promise.race([sdk.shutdown().catch(() => undefined), new Promise((resolve) => setTimeout(resolve, timeoutMs).unref())]);
}
