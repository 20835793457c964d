// The tracelab console (console/server): the web UI on 127.0.0.1:8090. Not a telemetry backend,
// but it runs like one: a Node process the runner starts after what it reads, and a compose
// service. It holds the control token for the lab; the browser never sees it.
import { BACKEND_PORTS } from '../../local/ports';
import { serviceUrlVariable } from '../../services/registry';
import type { BackendRecipe, Layout } from './recipe';

/** The console's environment: where each backend it reads and each service of the layout is. */
export function consoleEnvironment(layout: Layout): Record<string, string> {
  const registry = layout.services;
  return {
    HOST: layout.listenHost,
    PORT: String(BACKEND_PORTS.console.http),
    JAEGER_URL: `http://${layout.address('jaeger', BACKEND_PORTS.jaeger.query)}`,
    PROMETHEUS_URL: `http://${layout.address('prometheus', BACKEND_PORTS.prometheus.http)}`,
    VICTORIALOGS_URL: `http://${layout.address('victorialogs', BACKEND_PORTS.victorialogs.http)}`,
    ALERT_RECORDER_URL: `http://${layout.address('alert-recorder', BACKEND_PORTS['alert-recorder'].http)}`,
    COLLECTOR_OTLP_URL: `http://${layout.address('collector', BACKEND_PORTS.collector.otlpHttp)}`,
    ...Object.fromEntries(
      Object.entries(registry).map(([name, entry]) => [serviceUrlVariable(name, registry), `http://${layout.address(name, entry.port)}`]),
    ),
    CONTROL_TOKEN: layout.controlToken,
    ...(layout.stackStatusFile ? { STACK_STATUS_FILE: layout.stackStatusFile } : {}),
  };
}

export const tracelabConsole: BackendRecipe = {
  name: 'console',
  title: 'console',
  summary: 'the web console: traces, service map, signals, fault lab (http://127.0.0.1:8090)',
  native: { node: '../console/server/server.js' },
  ports: BACKEND_PORTS.console,
  ready: { port: 'http', path: '/healthz' },
  dependsOn: ['jaeger', 'prometheus', 'victorialogs', 'alert-recorder'],
  // Its pages say which backends are still building (GET /api/stack/status).
  startsWithout: ['jaeger', 'prometheus', 'victorialogs'],
  firstTrace: true,
  configFolders: [],
  stateful: false,
  args: () => [],
  env: (layout) => consoleEnvironment(layout),
  compose: { build: { context: '.' }, publish: [BACKEND_PORTS.console.http] },
};
