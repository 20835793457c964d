import { createLogger } from '../../shared/logger';
import { readConfig, serve } from '../../shared/server';
import { createApp } from './app';
import { configSchema, SERVICE } from './config';

const logger = createLogger();
const config = readConfig(configSchema, logger);
serve(createApp({ logger }), { host: config.HOST, port: config.PORT, name: SERVICE.name, logger });
