import { createLogger } from '../../shared/logger';
import { readConfig, serve } from '../../shared/server';
import { createApp } from './app';
import { configSchema, SERVICE } from './config';
import { createRandom } from './rng';

const logger = createLogger();
const config = readConfig(configSchema, logger);
const app = createApp({
  logger,
  random: createRandom(config.MODEL_SEED),
  modelVersion: config.MODEL_VERSION,
  controlToken: config.CONTROL_TOKEN,
  behaviour: {
    latency_median_ms: config.MODEL_LATENCY_MEDIAN_MS,
    latency_p99_ms: Math.max(config.MODEL_LATENCY_P99_MS, config.MODEL_LATENCY_MEDIAN_MS),
    error_rate: config.MODEL_ERROR_RATE,
    random_value_mean: config.RANDOM_VALUE_MEAN,
    random_value_stddev: config.RANDOM_VALUE_STDDEV,
    random_delay_median_ms: config.RANDOM_DELAY_MEDIAN_MS,
    random_delay_p99_ms: Math.max(config.RANDOM_DELAY_P99_MS, config.RANDOM_DELAY_MEDIAN_MS),
  },
});
serve(app, { host: config.HOST, port: config.PORT, name: SERVICE.name, logger });
