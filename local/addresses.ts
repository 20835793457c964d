// Where each process of the native stack answers (everything on 127.0.0.1), derived from the
// service registry and the backends' ports. The CLIs, the lab, the console and the tests read
// them here.
import { SERVICE_REGISTRY, type ServiceName } from '../services/registry';
import { BACKEND_PORTS } from './ports';

const local = (port: number) => `http://127.0.0.1:${port}`;

/** Base URL of a service in native mode (a copy started with an offset adds it to the port). */
export const localServiceUrl = (name: ServiceName, portOffset = 0) => local(SERVICE_REGISTRY[name].port + portOffset);

export const URLS = {
  gateway: localServiceUrl('gateway'),
  modelInference: localServiceUrl('model-inference'),
  fallbackRules: localServiceUrl('fallback-rules'),
  collectorHealth: local(BACKEND_PORTS.collector.http),
  collectorMetrics: local(BACKEND_PORTS.collector.metrics),
  collectorOtlpHttp: local(BACKEND_PORTS.collector.otlpHttp),
  jaeger: local(BACKEND_PORTS.jaeger.query),
  prometheus: local(BACKEND_PORTS.prometheus.http),
  victorialogs: local(BACKEND_PORTS.victorialogs.http),
  alertmanager: local(BACKEND_PORTS.alertmanager.http),
  alertRecorder: local(BACKEND_PORTS['alert-recorder'].http),
  grafana: local(BACKEND_PORTS.grafana.http),
  console: local(BACKEND_PORTS.console.http),
  natsMonitor: local(BACKEND_PORTS.nats.http),
} as const;
