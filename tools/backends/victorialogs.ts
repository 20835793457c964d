// VictoriaLogs: the log backend (OTLP in, LogsQL out). Its flags live in victorialogs.env, read
// with -envflag.enable by both run modes.
import path from 'node:path';
import { readEnvFile, repoRoot } from '../paths';
import { type BackendRecipe, insideModule } from './recipe';

/** Pinned here and nowhere else: the native build and the compose image use it. */
const VERSION = '1.52.1';

export const victorialogs: BackendRecipe = {
  name: 'victorialogs',
  summary: 'VictoriaLogs: log storage, LogsQL queries and its own log UI (/select/vmui)',
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
  ports: { http: 9428 },
  ready: { port: 'http', path: '/health' },
  dependsOn: [],
  configFolders: ['victorialogs'],
  stateful: true,
  args: (layout) => ['-envflag.enable', `-storageDataPath=${layout.dataDir}`, `-httpListenAddr=${layout.listenHost}:9428`],
  env: () => readEnvFile(path.join(repoRoot, 'victorialogs', 'victorialogs.env')),
  compose: {
    build: { context: './victorialogs', args: { VICTORIALOGS_VERSION: VERSION } },
    dataDir: '/tmp/vlogs',
    healthcheck: true,
  },
};
