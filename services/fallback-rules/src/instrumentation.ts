import { startTelemetry } from '../../shared/telemetry';
import { SERVICE } from './config';

startTelemetry({ serviceName: SERVICE.name, serviceVersion: SERVICE.version, prometheusPort: SERVICE.prometheusPort });
