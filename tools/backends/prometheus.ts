// Prometheus: scrapes the services' /metrics (pull), stores what the collector pushes over OTLP
// (span metrics with exemplars; the services' metrics when OTEL_METRICS_EXPORTER=otlp), evaluates
// the alert rules, sends alerts to Alertmanager.

import { BACKEND_PORTS } from '../../local/ports';
import { type BackendRecipe, type GoBuild, insideModule, type Layout } from './recipe';

/** Pinned here and nowhere else: the native build and the compose image use it. */
const VERSION = '3.16.0';

// `remove_all_sd` leaves out every cloud and Kubernetes service discovery (file and static remain:
// all tracelab uses): 345 s instead of 588 s from an empty build cache (docs/backends.md).
const buildFlags = ['-tags', 'netgo,remove_all_sd'];

/** Prometheus X.Y.Z is published as Go module v0.(X*100+Y).Z. */
function moduleVersion(version: string): string {
  const [major, minor, patch] = version.split('.').map(Number) as [number, number, number];
  return `v0.${major * 100 + minor}.${patch}`;
}

const prometheusModule = (binary: 'prometheus' | 'promtool') =>
  insideModule({
    module: 'github.com/prometheus/prometheus',
    moduleVersion,
    packages: [{ pkg: `./cmd/${binary}`, binary, flags: buildFlags }],
  });

/**
 * promtool checks the config and runs the rule unit tests: a build-only tool that `npm start`
 * does not wait for. It compiles the Kubernetes client whatever the tags (`check
 * service-discovery`), so it is its own build.
 */
export const promtoolBuild: GoBuild = {
  version: VERSION,
  recipe: 1,
  estimateS: 90,
  binaries: ['promtool'],
  ...prometheusModule('promtool'),
};

/** One target group per service; its `job` label is the service's name, as the OTLP path names it. */
export const serviceTargets = (layout: Layout) =>
  Object.entries(layout.services).map(([name, entry]) => ({ targets: [layout.address(name, entry.metricsPort)], labels: { job: name } }));

export const prometheus: BackendRecipe = {
  name: 'prometheus',
  title: 'Prometheus',
  summary: 'Prometheus: scrapes the services, OTLP in with exemplars, recording and alert rules',
  build: {
    // Prometheus 3.x is published as module v0.3xx.y; built without `builtinassets` because the
    // web UI assets are not in the module (the HTTP API works).
    version: VERSION,
    recipe: 2,
    estimateS: 135,
    binaries: ['prometheus'],
    ...prometheusModule('prometheus'),
  },
  ports: BACKEND_PORTS.prometheus,
  ready: { port: 'http', path: '/-/ready' },
  dependsOn: ['alertmanager'],
  configFolders: ['prometheus'],
  // prometheus.yml cannot read the environment: the services' addresses are a file_sd file per
  // mode, generated from the service registry.
  derivedConfig: {
    path: ['prometheus', 'targets', 'services.json'],
    content: (layout) => `${JSON.stringify(serviceTargets(layout), null, 2)}\n`,
  },
  stateful: true,
  args: (layout) => [
    `--config.file=${layout.repoPath('prometheus', 'prometheus.yml')}`,
    `--storage.tsdb.path=${layout.dataDir}`,
    `--web.listen-address=${layout.listenHost}:9090`,
    '--web.enable-otlp-receiver',
    '--enable-feature=exemplar-storage',
  ],
  // Its other addresses are loopback, so in compose it shares the collector's network namespace.
  compose: {
    image: `prom/prometheus:v${VERSION}`,
    networkOf: 'collector',
    publish: [9090],
    dataDir: '/prometheus',
    healthcheck: true,
  },
};
