// Starts the three services as child processes wired to each other on test ports, exporting
// traces and logs to an in-test OTLP receiver and exposing /metrics on test ports.

import { SERVICE_NAMES, type ServiceName } from '../../services/registry';
import { servicePorts } from '../../tools/runner/services';
import { OtlpReceiver } from '../support/otlp-receiver';
import { closedPort } from '../support/ports';
import { type RunningService, startService } from '../support/processes';
import { predictAt, setModelBehaviourAt } from '../support/requests';

export { FEATURES, randomHex } from '../support/requests';

export const CONTROL_TOKEN = 'integration-test-token';

/** The services' registry ports plus this offset (gateway on 18080): clear of a running stack. */
const PORT_OFFSET = 10_000;

export const PORTS = Object.fromEntries(SERVICE_NAMES.map((name) => [name, servicePorts(name, PORT_OFFSET)])) as Record<
  ServiceName,
  { http: number; metrics: number }
>;

export interface Cluster {
  receiver: OtlpReceiver;
  gateway: RunningService;
  model: RunningService;
  rules: RunningService;
  /** Stops model-inference, runs `whileDown`, starts it again (as `model`). */
  restartModel(whileDown: () => Promise<void>): Promise<void>;
  stop(): Promise<void>;
}

/** `env` goes to every service (e.g. NATS_URL), `gatewayEnv` to the gateway on top. */
export async function startCluster(
  gatewayEnv: Record<string, string> = {},
  otlpEndpoint?: string,
  env: Record<string, string> = {},
): Promise<Cluster> {
  const receiver = new OtlpReceiver();
  const endpoint = otlpEndpoint ?? (await receiver.start());
  // Never a running stack's broker (its stream and its durable consumer): none unless given.
  const brokerEnv = { NATS_URL: `nats://127.0.0.1:${await closedPort()}`, ...env };
  const telemetryEnv = () => ({
    ...brokerEnv,
    OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    OTEL_BSP_SCHEDULE_DELAY: '100',
    OTEL_BLRP_SCHEDULE_DELAY: '100',
  });
  const startModel = () =>
    startService('model-inference', PORT_OFFSET, {
      ...telemetryEnv(),
      CONTROL_TOKEN,
      MODEL_SEED: '42',
      MODEL_LATENCY_MEDIAN_MS: '5',
      MODEL_LATENCY_P99_MS: '20',
      RANDOM_DELAY_MEDIAN_MS: '5',
      RANDOM_DELAY_P99_MS: '20',
    });
  const [model, rules] = await Promise.all([startModel(), startService('fallback-rules', PORT_OFFSET, telemetryEnv())]);
  const gateway = await startService('gateway', PORT_OFFSET, {
    ...telemetryEnv(),
    ...gatewayEnv,
  });
  const cluster: Cluster = {
    receiver,
    gateway,
    model,
    rules,
    async restartModel(whileDown) {
      await cluster.model.stop();
      await whileDown();
      cluster.model = await startModel();
    },
    async stop() {
      await Promise.all([gateway.stop(), cluster.model.stop(), rules.stop()]);
      if (!otlpEndpoint) await receiver.stop();
    },
  };
  return cluster;
}

export const predict = predictAt;

export const setModelBehaviour = (modelUrl: string, update: Record<string, number>) => setModelBehaviourAt(modelUrl, CONTROL_TOKEN, update);
