// tracelab's own OpenTelemetry Collector distribution (ocb + collector/manifest.yaml): the single
// entry point of the services' telemetry.
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../paths';
import { type BackendRecipe, goEnv, goInstall, run } from './recipe';

/** Pinned here and nowhere else: the native build and the compose image use it. */
const VERSION = '0.165.0';

const manifestPath = path.join(repoRoot, 'collector', 'manifest.yaml');

/** Installs ocb in workDir and runs it on the manifest, writing the distribution to workDir/build. */
async function runBuilder(version: string, workDir: string, args: string[], showDownloads: boolean): Promise<void> {
  await goInstall(`go.opentelemetry.io/collector/cmd/builder@v${version}`, workDir, workDir, showDownloads);
  const manifest = fs.readFileSync(manifestPath, 'utf8').replace(/output_path: .*/, `output_path: ${path.join(workDir, 'build')}`);
  fs.writeFileSync(path.join(workDir, 'manifest.yaml'), manifest);
  await run(path.join(workDir, 'builder'), ['--config', 'manifest.yaml', ...args], workDir, goEnv, showDownloads);
}

export const collector: BackendRecipe = {
  name: 'collector',
  summary: 'OpenTelemetry Collector: OTLP in, span metrics, redaction, out to the three backends',
  build: {
    version: VERSION,
    recipe: 1,
    estimateS: 280,
    binaries: ['collector'],
    inputs: () => fs.readFileSync(manifestPath, 'utf8'),
    async build(version, workDir, outDir) {
      await runBuilder(version, workDir, [], true);
      fs.renameSync(path.join(workDir, 'build', 'otelcol-tracelab'), path.join(outDir, 'collector'));
    },
    // The generated sources and their modules, without compiling.
    fetch: (version, workDir) => runBuilder(version, workDir, ['--skip-compilation'], false),
  },
  ports: { http: 13133, otlpGrpc: 4317, otlpHttp: 4318, metrics: 8888 },
  ready: { port: 'http', path: '/' },
  dependsOn: ['jaeger', 'prometheus', 'victorialogs'],
  configFolders: ['collector'],
  // Its persistent sending queues (file_storage) live in its data folder.
  stateful: true,
  args: (layout) => [`--config=${layout.repoPath('collector', 'config.yaml')}`],
  env: (layout) => ({
    COLLECTOR_LISTEN_HOST: layout.listenHost,
    COLLECTOR_QUEUE_DIR: layout.dataDir,
    JAEGER_OTLP_GRPC_ADDR: layout.address('jaeger', 4327),
    PROMETHEUS_URL: `http://${layout.address('prometheus', 9090)}`,
    VICTORIALOGS_URL: `http://${layout.address('victorialogs', 9428)}`,
  }),
  compose: {
    build: { context: './collector', args: { COLLECTOR_VERSION: VERSION } },
    healthcheck: true,
    dataDir: '/var/lib/otelcol/queue',
  },
};
