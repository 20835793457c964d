import { startTelemetry } from '../../shared/telemetry';
import { configSchema, SERVICE } from './config';

// Parsed leniently here: server.ts reports configuration errors properly.
const config = configSchema.safeParse(process.env);
const peerServices = config.success
  ? { [new URL(config.data.MODEL_URL).origin]: 'model-inference', [new URL(config.data.FALLBACK_URL).origin]: 'fallback-rules' }
  : {};

startTelemetry({ serviceName: SERVICE.name, serviceVersion: SERVICE.version, prometheusPort: SERVICE.prometheusPort, peerServices });
