// The modes the services run in: without the SDK, with it disabled, instrumented, and the
// ablations (instrumented with one piece turned off or changed: docs/performance.md).
export interface Mode {
  name: string;
  /** Loaded with --require instrumentation.js (false: `node server.js`, nothing of OTel loaded). */
  sdk: boolean;
  env: Record<string, string>;
  /** What turning this off (or on) shows, for the ablation table. */
  about: string;
  /** Runs a NATS server for the gateway's prediction events (the other modes publish none). */
  broker?: boolean;
}

const CORE_MODES: Mode[] = [
  { name: 'pure', sdk: false, env: {}, about: 'services started without the SDK (node server.js, no --require)' },
  { name: 'disabled', sdk: true, env: { OTEL_SDK_DISABLED: 'true' }, about: 'SDK loaded, OTEL_SDK_DISABLED=true' },
  { name: 'instrumented', sdk: true, env: {}, about: 'traces, metrics and logs on, exporting' },
  {
    name: 'instrumented+events',
    sdk: true,
    env: { PREDICTION_EVENTS: 'on' },
    about: 'instrumented, and a prediction event per answer through a real NATS JetStream (docs/async-tracing.md)',
    broker: true,
  },
];

const ABLATIONS: Mode[] = [
  ['no-traces', { OTEL_TRACES_EXPORTER: 'none' }, 'no tracer provider: spans are not recorded or exported'],
  ['no-http', { OTEL_NODE_DISABLED_INSTRUMENTATIONS: 'http' }, 'HTTP server and client spans (and their metrics) off'],
  ['no-express', { OTEL_NODE_DISABLED_INSTRUMENTATIONS: 'express' }, 'Express instrumentation off (http.route lost)'],
  ['express-layers', { TRACELAB_EXPRESS_LAYER_SPANS: 'true' }, 'Express middleware and request-handler spans ON'],
  ['no-undici', { OTEL_NODE_DISABLED_INSTRUMENTATIONS: 'undici' }, 'fetch (undici) client spans off'],
  ['no-log-export', { OTEL_LOGS_EXPORTER: 'none' }, 'pino records not sent over OTLP'],
  ['no-access-log', { LOG_LEVEL: 'warn' }, 'the info access-log line per request off'],
  ['no-metrics', { OTEL_METRICS_EXPORTER: 'none' }, 'no meter provider, nothing scraped'],
  [
    'sdk-batch-defaults',
    { OTEL_BSP_SCHEDULE_DELAY: '5000', OTEL_BLRP_SCHEDULE_DELAY: '1000' },
    "the SDK's own batch delays (5 s spans, 1 s logs)",
  ],
  ['http-json', { OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' }, 'OTLP http/json instead of http/protobuf'],
  ['grpc', { OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }, 'OTLP gRPC instead of http/protobuf'],
  ['no-resource-detectors', { OTEL_NODE_RESOURCE_DETECTORS: 'none' }, 'no host/process/env resource detection'],
  ['v8-default-young-gen', { NODE_OPTIONS: '' }, "V8's own young-generation limit instead of SERVICE_NODE_OPTIONS"],
].map(([name, env, about]) => ({ name: name as string, sdk: true, env: env as Record<string, string>, about: about as string }));

const ALL_MODES = [...CORE_MODES, ...ABLATIONS];

/** The modes named (default: the core modes, or with `ablation` pure, instrumented and every ablation). */
export function selectedModes(names: string[] | undefined, ablation: boolean): Mode[] {
  const chosen = names ?? (ablation ? ['pure', 'instrumented', ...ABLATIONS.map((m) => m.name)] : CORE_MODES.map((m) => m.name));
  return chosen.map((name) => {
    const mode = ALL_MODES.find((m) => m.name === name);
    if (!mode) throw new Error(`unknown mode ${JSON.stringify(name)}; known: ${ALL_MODES.map((m) => m.name).join(', ')}`);
    return mode;
  });
}
