import { KnobStore, valuesFromEnv } from '../../shared/knobs';
import { createLogger } from '../../shared/logger';
import { onShutdown, readConfig, serve } from '../../shared/server';
import { createApp } from './app';
import { configSchema, KNOBS, SERVICE } from './config';
import { monitorEventFaults } from './faults';
import { startModelMonitor } from './monitor';

const logger = createLogger();
const config = readConfig(configSchema, logger);
const knobs = new KnobStore(KNOBS, valuesFromEnv(KNOBS, config));
const app = createApp({ logger, modelVersion: config.MODEL_VERSION, controlToken: config.CONTROL_TOKEN, knobs });
serve(app, { host: config.HOST, port: config.PORT, name: SERVICE.name, logger });

const monitor = startModelMonitor({
  url: config.NATS_URL,
  logger,
  batchSize: config.MONITOR_BATCH_SIZE,
  batchWaitMs: 1000,
  maxDeliver: config.MONITOR_MAX_DELIVER,
  beforeProcessing: (event) => monitorEventFaults(event.features.plan, knobs.values),
});
onShutdown(() => monitor.close());
