// Starts the three services as child processes wired to each other on test ports, exporting
// traces and logs to an in-test OTLP receiver and exposing /metrics on test ports.
import { OtlpReceiver } from '../support/otlp-receiver';
import { type RunningService, startService } from '../support/processes';
import { predictAt, setModelBehaviourAt } from '../support/requests';

export { FEATURES, randomHex } from '../support/requests';

export const CONTROL_TOKEN = 'integration-test-token';

export const PORTS = {
  gateway: { http: 18080, metrics: 19464 },
  'model-inference': { http: 18081, metrics: 19465 },
  'fallback-rules': { http: 18082, metrics: 19466 },
} as const;

export interface Cluster {
  receiver: OtlpReceiver;
  gateway: RunningService;
  model: RunningService;
  rules: RunningService;
  stop(): Promise<void>;
}

export async function startCluster(gatewayEnv: Record<string, string> = {}, otlpEndpoint?: string): Promise<Cluster> {
  const receiver = new OtlpReceiver();
  const endpoint = otlpEndpoint ?? (await receiver.start());
  const telemetryEnv = (service: keyof typeof PORTS) => ({
    OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    OTEL_BSP_SCHEDULE_DELAY: '100',
    OTEL_BLRP_SCHEDULE_DELAY: '100',
    OTEL_EXPORTER_PROMETHEUS_PORT: String(PORTS[service].metrics),
  });
  const [model, rules] = await Promise.all([
    startService('model-inference', PORTS['model-inference'].http, {
      ...telemetryEnv('model-inference'),
      CONTROL_TOKEN,
      MODEL_SEED: '42',
      MODEL_LATENCY_MEDIAN_MS: '5',
      MODEL_LATENCY_P99_MS: '20',
      RANDOM_DELAY_MEDIAN_MS: '5',
      RANDOM_DELAY_P99_MS: '20',
    }),
    startService('fallback-rules', PORTS['fallback-rules'].http, telemetryEnv('fallback-rules')),
  ]);
  const gateway = await startService('gateway', PORTS.gateway.http, {
    ...telemetryEnv('gateway'),
    MODEL_URL: model.url,
    FALLBACK_URL: rules.url,
    ...gatewayEnv,
  });
  return {
    receiver,
    gateway,
    model,
    rules,
    async stop() {
      await Promise.all([gateway.stop(), model.stop(), rules.stop()]);
      if (!otlpEndpoint) await receiver.stop();
    },
  };
}

export const predict = predictAt;

export const setModelBehaviour = (modelUrl: string, update: Record<string, number>) => setModelBehaviourAt(modelUrl, CONTROL_TOKEN, update);
