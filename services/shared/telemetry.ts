// The one telemetry bootstrap every service loads (via its instrumentation.ts, with `--require`,
// before any application module): CommonJS + --require lets require-in-the-middle patch
// express, http and pino without an ESM loader hook.
//
// Configuration is only the standard OTEL_* environment variables; this file fills in defaults
// for those the operator left unset, then lets the SDK read them. What each default costs and
// buys is measured in docs/performance.md (`npm run bench`).

import type { IncomingMessage } from 'node:http';
import { context, type Span } from '@opentelemetry/api';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import type { NodeSDK } from '@opentelemetry/sdk-node';
import { baggageFields, recordedBaggagePrefixes } from './baggage';

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

/**
 * The low-cardinality template of a downstream path: the path without its query. The services'
 * downstream paths carry no ids (a path with ids would need its route's template instead).
 */
const urlTemplate = (path: string) => path.split('?')[0]!;

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
  // Fresh: a span or log record waits at most 200 ms in the SDK (its defaults: 5 s and 1 s), so
  // a trace is complete in Jaeger within a second. Under load batches fill (512 records) long
  // before the delay, so the short delay adds no exports where exports cost.
  env.OTEL_BSP_SCHEDULE_DELAY ||= '200';
  env.OTEL_BLRP_SCHEDULE_DELAY ||= '200';
  // Operator-supplied attributes come last so they win over these defaults.
  env.OTEL_RESOURCE_ATTRIBUTES = [
    `service.version=${defaults.serviceVersion}`,
    'deployment.environment.name=dev',
    env.OTEL_RESOURCE_ATTRIBUTES,
  ]
    .filter(Boolean)
    .join(',');
}

/** The instrumentations these services use, by the names OTEL_NODE_*_INSTRUMENTATIONS take. */
export const INSTRUMENTATION_NAMES = ['http', 'express', 'undici', 'pino', 'runtime-node'] as const;
export type InstrumentationName = (typeof INSTRUMENTATION_NAMES)[number];

const names = (value: string | undefined) =>
  value
    ?.split(',')
    .map((name) => name.trim())
    .filter(Boolean);

/** OTEL_NODE_ENABLED_INSTRUMENTATIONS (default: all) minus OTEL_NODE_DISABLED_INSTRUMENTATIONS. */
export function enabledInstrumentations(env: NodeJS.ProcessEnv): InstrumentationName[] {
  const enabled = new Set(names(env.OTEL_NODE_ENABLED_INSTRUMENTATIONS) ?? INSTRUMENTATION_NAMES);
  const disabled = new Set(names(env.OTEL_NODE_DISABLED_INSTRUMENTATIONS));
  return INSTRUMENTATION_NAMES.filter((name) => enabled.has(name) && !disabled.has(name));
}

/**
 * Only the instrumentations these services use, each loaded only when enabled (the
 * auto-instrumentations package loads some forty, for libraries tracelab does not have).
 */
function instrumentations(defaults: TelemetryDefaults, env: NodeJS.ProcessEnv): Instrumentation[] {
  // The allow-listed baggage of the request (server spans) or of the caller (client spans).
  const prefixes = recordedBaggagePrefixes(env);
  const recordBaggage = (span: Span) => span.setAttributes(baggageFields(context.active(), prefixes));
  const factories: Record<InstrumentationName, () => Instrumentation> = {
    http: () => {
      const { HttpInstrumentation } =
        require('@opentelemetry/instrumentation-http') as typeof import('@opentelemetry/instrumentation-http');
      return new HttpInstrumentation({
        ignoreIncomingRequestHook: (request: IncomingMessage) => {
          const url = request.url ?? '';
          const query = url.indexOf('?');
          return UNTRACED_PATHS.has(query < 0 ? url : url.slice(0, query));
        },
        // The services call each other with fetch (undici); node:http requests are only the
        // exporters' own, which would be wrapped and then suppressed: work that buys nothing.
        disableOutgoingRequestInstrumentation: true,
        // Runs inside the context extracted from the request's headers.
        requestHook: (span) => recordBaggage(span),
      });
    },
    express: () => {
      const { ExpressInstrumentation, ExpressLayerType } =
        require('@opentelemetry/instrumentation-express') as typeof import('@opentelemetry/instrumentation-express');
      // http.route on the server span comes from the instrumentation whatever the layers do; a span
      // per middleware and handler (5 a request) costs more than they teach. The lesson knob
      // TRACELAB_EXPRESS_LAYER_SPANS=true brings them back.
      const layerSpans = env.TRACELAB_EXPRESS_LAYER_SPANS === 'true';
      return new ExpressInstrumentation(
        layerSpans ? {} : { ignoreLayersType: [ExpressLayerType.MIDDLEWARE, ExpressLayerType.REQUEST_HANDLER, ExpressLayerType.ROUTER] },
      );
    },
    undici: () => {
      const { UndiciInstrumentation } =
        require('@opentelemetry/instrumentation-undici') as typeof import('@opentelemetry/instrumentation-undici');
      const peers = new Map(Object.entries(defaults.peerServices ?? {}));
      return new UndiciInstrumentation({
        // No client spans for health probes (readyz asks its dependencies' /healthz). A real call
        // made without a parent still gets its span: a root client span is how a trace that lost
        // its context shows up (the broken-propagation lesson).
        ignoreRequestHook: (request: { path: string }) => UNTRACED_PATHS.has(request.path.split('?')[0]!),
        startSpanHook: (request: { origin: string; path: string }) => {
          const peer = peers.get(request.origin);
          return { ...(peer ? { 'peer.service': peer } : {}), 'url.template': urlTemplate(request.path) };
        },
        // Semantic conventions name a client span `{method} {url.template}` when the template is
        // known: the gateway's two calls, both POST, become `POST /v1/predict` and `POST /v1/decide`.
        requestHook: (span: Span, request: { method: string; path: string }) => {
          span.updateName(`${request.method} ${urlTemplate(request.path)}`);
          recordBaggage(span);
        },
      });
    },
    pino: () => {
      const { PinoInstrumentation } =
        require('@opentelemetry/instrumentation-pino') as typeof import('@opentelemetry/instrumentation-pino');
      return new PinoInstrumentation();
    },
    'runtime-node': () => {
      const { RuntimeNodeInstrumentation } =
        require('@opentelemetry/instrumentation-runtime-node') as typeof import('@opentelemetry/instrumentation-runtime-node');
      return new RuntimeNodeInstrumentation();
    },
  };
  return enabledInstrumentations(env).map((name) => factories[name]());
}

export function startTelemetry(defaults: TelemetryDefaults, env: NodeJS.ProcessEnv = process.env): void {
  // Disabled means nothing loaded and nothing patched: the SDK would still construct (and thereby
  // enable) every instrumentation, which costs a fifth of the throughput for no telemetry.
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return;
  applyTelemetryDefaults(defaults, env);
  const { NodeSDK } = require('@opentelemetry/sdk-node') as typeof import('@opentelemetry/sdk-node');
  sdk = new NodeSDK({ instrumentations: instrumentations(defaults, env) });
  sdk.start();
}

/** Flushes what is buffered; bounded so a dead collector cannot hold up process exit. */
export async function shutdownTelemetry(timeoutMs = 2000): Promise<void> {
  if (!sdk) return;
  await Promise.race([sdk.shutdown().catch(() => undefined), new Promise((resolve) => setTimeout(resolve, timeoutMs).unref())]);
}
