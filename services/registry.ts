// The services of tracelab, declared once. The runner, compose, the bench, the tests and the
// telemetry pipeline derive names, ports and wiring from this table (docs/architecture.md).
export interface ServiceEntry {
  version: string;
  /** HTTP port (natively on 127.0.0.1; in compose inside the service's container). */
  port: number;
  /** Port of the Prometheus /metrics endpoint the SDK serves. */
  metricsPort: number;
  /** Downstream services, by the environment variable that holds each one's base URL. */
  calls: Record<string, string>;
  /** Published on the host by compose (the services a person calls directly). */
  published: boolean;
  /** One line for docs and the runner's summary. */
  summary: string;
  /** Talks to the message broker (BROKER), at the address in NATS_URL. */
  usesBroker?: boolean;
}

/**
 * The message broker (NATS with JetStream, tools/backends/nats.ts): its client port, from which
 * local/ports.ts and the services' default NATS_URL derive. The gateway publishes a prediction
 * event per answer; model-inference's monitor consumes them (docs/async-tracing.md).
 */
export const BROKER = { backend: 'nats', clientPort: 4222 } as const;

export const SERVICE_REGISTRY = {
  'model-inference': {
    version: '1.0.0',
    port: 8081,
    metricsPort: 9465,
    calls: {},
    published: false,
    summary: 'the churn model: POST /v1/predict, GET /v1/random; monitors the prediction events',
    usesBroker: true,
  },
  'fallback-rules': {
    version: '1.0.0',
    port: 8082,
    metricsPort: 9466,
    calls: {},
    published: false,
    summary: 'business rules the gateway falls back to: POST /v1/decide',
  },
  gateway: {
    version: '1.0.0',
    port: 8080,
    metricsPort: 9464,
    calls: { MODEL_URL: 'model-inference', FALLBACK_URL: 'fallback-rules' },
    published: true,
    summary: 'the public API: POST /v1/predict, GET /random; publishes a prediction event per answer',
    usesBroker: true,
  },
} as const satisfies Record<string, ServiceEntry>;

export type ServiceName = keyof typeof SERVICE_REGISTRY;

/**
 * NODE_OPTIONS of every service process, natively and in compose. V8 sizes the young generation
 * by the allocation rate, here up to 32 MiB a semi-space: under load that grew each service by
 * 40-90 MiB, most of what an instrumented service held beyond a plain one. At 4 MiB the
 * scavenges come more often (twice the GC time) yet the CPU per request and the throughput did
 * not change measurably (`npm run bench -- --ablation`, mode v8-default-young-gen).
 */
export const SERVICE_NODE_OPTIONS = '--max-semi-space-size=4';

export const SERVICE_NAMES = Object.keys(SERVICE_REGISTRY) as ServiceName[];

/** What a service needs to know about itself (its config.ts exports this as SERVICE). */
export function serviceInfo<N extends ServiceName>(name: N) {
  const entry = SERVICE_REGISTRY[name];
  return { name, version: entry.version, port: entry.port, prometheusPort: entry.metricsPort } as const;
}

/** A table of services in the shape of SERVICE_REGISTRY (the generators take one, so a test can pass a copy). */
export type ServiceRegistry = Record<string, ServiceEntry>;

/** The services of a registry, the ones a person calls directly first, else in registry order. */
export const entryPointsFirst = (registry: ServiceRegistry = SERVICE_REGISTRY): string[] =>
  Object.keys(registry).sort((a, b) => Number(registry[b]!.published) - Number(registry[a]!.published));

/**
 * The environment variable that holds a service's base URL: the one its callers use in `calls`
 * (MODEL_URL for model-inference), else NAME_URL (GATEWAY_URL). The console reads it too.
 */
export function serviceUrlVariable(name: string, registry: ServiceRegistry = SERVICE_REGISTRY): string {
  for (const entry of Object.values(registry)) {
    const found = Object.entries(entry.calls).find(([, target]) => target === name);
    if (found) return found[0];
  }
  return `${name.toUpperCase().replace(/-/g, '_')}_URL`;
}
