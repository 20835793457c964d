// The tracelab console (console/server): the web UI on 127.0.0.1:8090. Not a telemetry backend,
// but it runs like one: a Node process the runner starts after what it reads, and a compose
// service. It holds the control token for the lab; the browser never sees it.
import { SERVICE_REGISTRY } from '../../services/registry';
import { alertRecorder } from './alert-recorder';
import { collector } from './collector';
import { jaeger } from './jaeger';
import { prometheus } from './prometheus';
import type { BackendRecipe } from './recipe';
import { victorialogs } from './victorialogs';

const service = (name: keyof typeof SERVICE_REGISTRY) => SERVICE_REGISTRY[name].port;

export const tracelabConsole: BackendRecipe = {
  name: 'console',
  summary: 'the web console: traces, service map, signals, fault lab (http://127.0.0.1:8090)',
  native: { node: '../console/server/server.js' },
  ports: { http: 8090 },
  ready: { port: 'http', path: '/healthz' },
  dependsOn: ['jaeger', 'prometheus', 'victorialogs', 'alert-recorder'],
  configFolders: [],
  stateful: false,
  args: () => [],
  env: (layout) => ({
    HOST: layout.listenHost,
    PORT: '8090',
    JAEGER_URL: `http://${layout.address('jaeger', jaeger.ports.query!)}`,
    PROMETHEUS_URL: `http://${layout.address('prometheus', prometheus.ports.http!)}`,
    VICTORIALOGS_URL: `http://${layout.address('victorialogs', victorialogs.ports.http!)}`,
    ALERT_RECORDER_URL: `http://${layout.address('alert-recorder', alertRecorder.ports.http!)}`,
    GATEWAY_URL: `http://${layout.address('gateway', service('gateway'))}`,
    MODEL_URL: `http://${layout.address('model-inference', service('model-inference'))}`,
    FALLBACK_URL: `http://${layout.address('fallback-rules', service('fallback-rules'))}`,
    COLLECTOR_OTLP_URL: `http://${layout.address('collector', collector.ports.otlpHttp!)}`,
    CONTROL_TOKEN: layout.controlToken,
  }),
  compose: { build: { context: '.' }, publish: [8090] },
};
