import { KnobStore, valuesFromEnv } from '../../shared/knobs';
import { createLogger } from '../../shared/logger';
import { onShutdown, readConfig, serve } from '../../shared/server';
import { createApp } from './app';
import { configSchema, KNOBS, SERVICE } from './config';
import { startModelMonitor } from './monitor';

const logger = createLogger();
const config = readConfig(configSchema, logger);
const app = createApp({
  logger,
  modelVersion: config.MODEL_VERSION,
  controlToken: config.CONTROL_TOKEN,
  knobs: new KnobStore(KNOBS, valuesFromEnv(KNOBS, config)),
});
serve(app, { host: config.HOST, port: config.PORT, name: SERVICE.name, logger });

const monitor = startModelMonitor({
  url: config.NATS_URL,
  logger,
  batchSize: config.MONITOR_BATCH_SIZE,
  batchWaitMs: 1000,
  maxDeliver: config.MONITOR_MAX_DELIVER,
});
onShutdown(() => monitor.close());
