// Jaeger v2: trace storage and query API, and the Monitor (SPM) API over the span metrics.
import { type BackendRecipe, backendVersions, buildInsideModule, composeVar } from './recipe';

export const jaeger: BackendRecipe = {
  name: 'jaeger',
  summary: 'Jaeger v2: stores traces, answers /api/traces, /api/dependencies and SPM queries',
  build: {
    // Jaeger v2's module path has no /v2 suffix, so Go cannot use its v2.x tags; its v1.x tags
    // name the same commits (v1.76.0 = v2.13.0). A replace directive means building inside it.
    versionKey: 'JAEGER_VERSION',
    recipe: 1,
    binaries: ['jaeger'],
    inputs: () => backendVersions().JAEGER_MODULE_VERSION ?? '',
    async build(_version, workDir, outDir) {
      const moduleVersion = backendVersions().JAEGER_MODULE_VERSION;
      if (!moduleVersion) throw new Error('JAEGER_MODULE_VERSION is missing from .env');
      await buildInsideModule('github.com/jaegertracing/jaeger', `v${moduleVersion}`, workDir, [
        { pkg: './cmd/jaeger', out: `${outDir}/jaeger` },
      ]);
    },
  },
  // 4327/4328: OTLP from the tracelab collector (4317/4318 are the collector's own).
  ports: { query: 16686, grpc: 16685, otlpGrpc: 4327, otlpHttp: 4328, http: 13134, metrics: 8887 },
  ready: { port: 'http', path: '/status' },
  // Its Monitor (SPM) API reads Prometheus only when asked: no start-up dependency.
  dependsOn: [],
  configFolders: ['jaeger'],
  stateful: false,
  args: (layout) => [`--config=${layout.repoPath('jaeger', 'config.yaml')}`],
  env: (layout) => ({ JAEGER_LISTEN_HOST: layout.listenHost, PROMETHEUS_URL: `http://${layout.address('prometheus', 9090)}` }),
  compose: { image: `jaegertracing/jaeger:${composeVar('JAEGER_VERSION')}`, publish: [16686] },
};
