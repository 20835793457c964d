// VictoriaLogs: the log backend (OTLP in, LogsQL out). Its flags live in victorialogs.env, read
// with -envflag.enable by both run modes. In the scaled topology the same binary runs as a
// cluster: storage nodes (victorialogs-storage) behind a front end (this recipe, same port).
import path from 'node:path';
import { repoRoot } from '../../local/paths';
import { BACKEND_PORTS } from '../../local/ports';
import { readEnvFile } from './env-file';
import { type BackendRecipe, insideModule, instanceAddresses, instancePort, type Layout } from './recipe';

/** Pinned here and nowhere else: the native build and the compose image use it. */
const VERSION = '1.52.1';

const flagsFromFile = () => readEnvFile(path.join(repoRoot, 'victorialogs', 'victorialogs.env'));

const compose = {
  build: { context: './victorialogs', args: { VICTORIALOGS_VERSION: VERSION } },
  dataDir: '/tmp/vlogs',
  healthcheck: true,
};

export const victorialogs: BackendRecipe = {
  name: 'victorialogs',
  title: 'VictoriaLogs',
  summary: 'VictoriaLogs: log storage, LogsQL queries and its own log UI (/select/vmui) (scaled: the cluster front end)',
  build: {
    // VictoriaLogs' own module (it stores OTLP records' trace_id/span_id as fields). Its vendor/
    // folder is not in the module zip, hence -mod=mod.
    version: VERSION,
    recipe: 1,
    estimateS: 20,
    binaries: ['victorialogs'],
    ...insideModule({
      module: 'github.com/VictoriaMetrics/VictoriaLogs',
      packages: [{ pkg: './app/victoria-logs', binary: 'victorialogs', flags: ['-mod=mod'] }],
    }),
  },
  ports: BACKEND_PORTS.victorialogs,
  ready: { port: 'http', path: '/health' },
  // victorialogs-storage runs only in the scaled topology (a missing dependency is dropped).
  dependsOn: ['victorialogs-storage'],
  configFolders: ['victorialogs'],
  stateful: true,
  args: (layout) => [
    '-envflag.enable',
    `-httpListenAddr=${layout.listenHost}:9428`,
    ...(layout.topology === 'scaled'
      ? [
          // Writes go to the nodes by stream (another node when one is down); a query asks every
          // node and, with a node down, answers from the others instead of failing.
          `-storageNode=${instanceAddresses(layout, victorialogsStorage, 'http').join(',')}`,
          '-search.allowPartialResponse',
        ]
      : [`-storageDataPath=${layout.dataDir}`]),
  ],
  env: flagsFromFile,
  compose,
};

export const victorialogsStorage: BackendRecipe = {
  name: 'victorialogs-storage',
  title: 'VictoriaLogs storage nodes',
  summary: 'scaled topology: a VictoriaLogs storage node behind the front end',
  native: { binary: 'victorialogs' },
  topologies: ['scaled'],
  replicas: { count: 2, portStep: 1 },
  ports: BACKEND_PORTS['victorialogs-storage'],
  ready: { port: 'http', path: '/health' },
  dependsOn: [],
  configFolders: ['victorialogs'],
  stateful: true,
  args: (layout: Layout) => [
    '-envflag.enable',
    `-storageDataPath=${layout.dataDir}`,
    `-httpListenAddr=${layout.listenHost}:${instancePort(victorialogsStorage, 'http', layout)}`,
  ],
  env: flagsFromFile,
  compose,
};
