// Jaeger v2: trace storage and query API, and the Monitor (SPM) API over the span metrics.
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../../local/paths';
import { BACKEND_PORTS } from '../../local/ports';
import { type BackendRecipe, composeVar, insideModule } from './recipe';

const componentsFile = path.join(repoRoot, 'tools', 'backends', 'jaeger-components.go');

/** Pinned here and nowhere else: the native build and the compose image use it. */
const VERSION = '2.13.0';
/** Jaeger v2's Go module has no /v2 suffix, so Go cannot use v2.x tags: v1.76.0 is v2.13.0's commit. */
const MODULE_VERSION = '1.76.0';

export const jaeger: BackendRecipe = {
  name: 'jaeger',
  title: 'Jaeger',
  summary: 'Jaeger v2: stores traces, answers /api/traces, /api/dependencies and SPM queries',
  build: {
    // A replace directive in its go.mod means building inside the module.
    version: VERSION,
    recipe: 2,
    estimateS: 295,
    binaries: ['jaeger'],
    inputs: () => MODULE_VERSION + fs.readFileSync(componentsFile, 'utf8'),
    ...insideModule({
      module: 'github.com/jaegertracing/jaeger',
      moduleVersion: () => `v${MODULE_VERSION}`,
      packages: [{ pkg: './cmd/jaeger', binary: 'jaeger' }],
      // Only the components jaeger/config.yaml uses (the file says what is left out and why).
      prepare: (src) => fs.copyFileSync(componentsFile, path.join(src, 'cmd', 'jaeger', 'internal', 'components.go')),
    }),
  },
  // 4327/4328: OTLP from the tracelab collector (4317/4318 are the collector's own).
  ports: BACKEND_PORTS.jaeger,
  ready: { port: 'http', path: '/status' },
  // Its Monitor (SPM) API reads Prometheus only when asked: no start-up dependency.
  dependsOn: [],
  firstTrace: true,
  configFolders: ['jaeger'],
  // Traces on Badger in its data folder (JAEGER_TRACE_STORAGE=memory keeps them in memory).
  stateful: true,
  args: (layout) => [`--config=${layout.repoPath('jaeger', 'config.yaml')}`],
  env: (layout) => ({
    JAEGER_LISTEN_HOST: layout.listenHost,
    PROMETHEUS_URL: `http://${layout.address('prometheus', 9090)}`,
    JAEGER_BADGER_DIR: layout.dataDir,
    // The user's choice wins natively; compose reads them from the user's environment.
    JAEGER_TRACE_STORAGE:
      layout.mode === 'native' ? (process.env.JAEGER_TRACE_STORAGE ?? 'badger') : composeVar('JAEGER_TRACE_STORAGE', ':-badger'),
    JAEGER_RETENTION: layout.mode === 'native' ? (process.env.JAEGER_RETENTION ?? '72h') : composeVar('JAEGER_RETENTION', ':-72h'),
  }),
  // The image runs as an unprivileged user that cannot write a fresh named volume's root.
  compose: { image: `jaegertracing/jaeger:${VERSION}`, publish: [16686], dataDir: '/badger', user: 'root' },
};
