import { KnobStore, valuesFromEnv } from '../../shared/knobs';
import { createLogger } from '../../shared/logger';
import { readConfig, serve } from '../../shared/server';
import { createApp } from './app';
import { configSchema, KNOBS, SERVICE } from './config';

const logger = createLogger();
const config = readConfig(configSchema, logger);
const app = createApp({
  logger,
  modelVersion: config.MODEL_VERSION,
  controlToken: config.CONTROL_TOKEN,
  knobs: new KnobStore(KNOBS, valuesFromEnv(KNOBS, config)),
});
serve(app, { host: config.HOST, port: config.PORT, name: SERVICE.name, logger });
