import { KnobStore, valuesFromEnv } from '../../shared/knobs';
import { createLogger } from '../../shared/logger';
import { EventPublisher, PREDICTION_SUBJECT } from '../../shared/messaging';
import { onShutdown, readConfig, serve } from '../../shared/server';
import { createApp } from './app';
import { createModelClient, createRulesClient } from './clients';
import { configSchema, KNOBS, SERVICE } from './config';
import { ModelCallPolicy } from './fallback-policy';
import { createPredictor } from './predictor';

const logger = createLogger();
const config = readConfig(configSchema, logger);

const knobs = new KnobStore(KNOBS, valuesFromEnv(KNOBS, config));

const policy = new ModelCallPolicy(() => {
  const k = knobs.values;
  return {
    timeoutMs: k.model_timeout_ms,
    failureThreshold: k.breaker_failure_threshold,
    halfOpenAfterMs: k.breaker_half_open_after_ms,
    breakerEnabled: k.breaker_enabled,
    maxAttempts: k.model_max_attempts,
    retryBudgetRatio: k.model_retry_budget_enabled ? k.model_retry_budget_ratio : undefined,
    retryBackoffMs: k.model_retry_backoff_ms,
  };
});
policy.onCircuitStateChange((state) => logger.warn({ circuit: state }, 'model circuit breaker changed state'));

const model = createModelClient(config.MODEL_URL, {
  poolConnections: () => knobs.values.model_pool_connections,
  propagateContext: () => knobs.values.propagate_context,
});
const rules = createRulesClient(config.FALLBACK_URL);

async function isHealthy(baseUrl: string): Promise<boolean> {
  try {
    return (await fetch(`${baseUrl}/healthz`, { signal: AbortSignal.timeout(1000) })).ok;
  } catch {
    return false;
  }
}

const events =
  config.PREDICTION_EVENTS === 'on'
    ? new EventPublisher({
        url: config.NATS_URL,
        capacity: config.EVENT_BUFFER,
        logger,
        propagateContext: () => knobs.values.propagate_event_context,
      })
    : undefined;
if (events) onShutdown(() => events.close());

const app = createApp({
  logger,
  model,
  predict: createPredictor({
    model,
    rules,
    policy,
    logger,
    fallbackTimeoutMs: () => knobs.values.fallback_timeout_ms,
    enrichMode: () => knobs.values.enrich_mode,
  }),
  knobs,
  controlToken: config.CONTROL_TOKEN,
  randomTimeoutMs: 10_000,
  // No customer_id: the event carries what was asked and answered, not who asked.
  predictionEvents: (features, result, parent) =>
    events?.publish(
      PREDICTION_SUBJECT,
      { event: 'prediction', time: new Date().toISOString(), features, ...result, gateway_version: SERVICE.version },
      parent,
    ),
  checkDependencies: async () => {
    const [modelUp, rulesUp] = await Promise.all([isHealthy(config.MODEL_URL), isHealthy(config.FALLBACK_URL)]);
    return { 'model-inference': modelUp, 'fallback-rules': rulesUp };
  },
});
serve(app, { host: config.HOST, port: config.PORT, name: SERVICE.name, logger });
