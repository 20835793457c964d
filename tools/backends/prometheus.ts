// Prometheus: stores the metrics the collector pushes over OTLP (exemplars included), evaluates
// the alert rules, sends alerts to Alertmanager.
import { type BackendRecipe, buildInsideModule } from './recipe';

/** Pinned here and nowhere else: the native build and the compose image use it. */
const VERSION = '3.16.0';

export const prometheus: BackendRecipe = {
  name: 'prometheus',
  summary: 'Prometheus: metrics over OTLP with exemplars, recording and alert rules',
  build: {
    // Prometheus 3.x is published as module v0.3xx.y; built without `builtinassets` because the
    // web UI assets are not in the module (the HTTP API works).
    version: VERSION,
    recipe: 1,
    estimateS: 240,
    binaries: ['prometheus', 'promtool'],
    async build(version, workDir, outDir) {
      // Prometheus X.Y.Z is published as Go module v0.(X*100+Y).Z.
      const [major, minor, patch] = version.split('.').map(Number) as [number, number, number];
      await buildInsideModule('github.com/prometheus/prometheus', `v0.${major * 100 + minor}.${patch}`, workDir, [
        { pkg: './cmd/prometheus', out: `${outDir}/prometheus`, flags: ['-tags', 'netgo'] },
        { pkg: './cmd/promtool', out: `${outDir}/promtool`, flags: ['-tags', 'netgo'] },
      ]);
    },
  },
  ports: { http: 9090 },
  ready: { port: 'http', path: '/-/ready' },
  dependsOn: ['alertmanager'],
  configFolders: ['prometheus'],
  stateful: true,
  args: (layout) => [
    `--config.file=${layout.repoPath('prometheus', 'prometheus.yml')}`,
    `--storage.tsdb.path=${layout.dataDir}`,
    `--web.listen-address=${layout.listenHost}:9090`,
    '--web.enable-otlp-receiver',
    '--enable-feature=exemplar-storage',
  ],
  // prometheus.yml has no environment substitution: its addresses are loopback, so in compose it
  // shares the collector's network namespace.
  compose: {
    image: `prom/prometheus:v${VERSION}`,
    networkOf: 'collector',
    publish: [9090],
    dataDir: '/prometheus',
    healthcheck: true,
  },
};
