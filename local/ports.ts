// The ports of every backend process, declared once as plain data: the recipes
// (tools/backends/) run them on these ports, and the native addresses below derive from them
// without loading a recipe (which would load the build and process code).
import { BROKER } from '../services/registry';

export const BACKEND_PORTS = {
  collector: { http: 13133, otlpGrpc: 4317, otlpHttp: 4318, metrics: 8888 },
  /** The first copy's (the recipe says how far each further copy steps them). */
  'collector-gateway': { http: 13143, otlpGrpc: 4417, otlpHttp: 4418, metrics: 8898 },
  jaeger: { query: 16686, grpc: 16685, otlpGrpc: 4327, otlpHttp: 4328, http: 13134, metrics: 8887 },
  prometheus: { http: 9090 },
  alertmanager: { http: 9093 },
  'alert-recorder': { http: 9099 },
  victorialogs: { http: 9428 },
  /** The first storage node's. */
  'victorialogs-storage': { http: 9491 },
  grafana: { http: 3000 },
  console: { http: 8090 },
  /** http: the monitoring endpoint; client: the NATS protocol. */
  nats: { http: 8222, client: BROKER.clientPort },
} as const satisfies Record<string, Record<string, number>>;

export type BackendWithPorts = keyof typeof BACKEND_PORTS;
