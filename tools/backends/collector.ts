// tracelab's own OpenTelemetry Collector distribution (ocb + collector/manifest.yaml): the single
// entry point of the services' telemetry. In the scaled topology the gateway collectors behind the
// agent run the same binary; the agent runs collector-scaled, which adds the load-balancing exporter.
import fs from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import { repoRoot } from '../../local/paths';
import { BACKEND_PORTS } from '../../local/ports';
import { type BackendRecipe, type GoBuild, goEnv, goInstall, instancePort, type Layout, run } from './recipe';

/** Pinned here and nowhere else: the native build and the compose image use it. */
const VERSION = '0.161.0';

const manifestPath = path.join(repoRoot, 'collector', 'manifest.yaml');
/** Cold compile seconds on a quiet 2-core machine (docs/backends.md); scaled: right after the default one. */
const ESTIMATE_S = { default: 125, scaled: 90 };

/** Which distribution: the default topology's, or the scaled one's (with the lines marked `# scaled`). */
type Distribution = 'default' | 'scaled';

/** The manifest of a distribution: the default one leaves out the lines marked `# scaled`. */
function manifestOf(distribution: Distribution): string {
  const text = fs.readFileSync(manifestPath, 'utf8');
  return distribution === 'scaled'
    ? text
    : text
        .split('\n')
        .filter((line) => !/\s# scaled$/.test(line))
        .join('\n');
}

/** Installs ocb in workDir and runs it on the manifest, writing the distribution to workDir/build. */
async function runBuilder(version: string, distribution: Distribution, workDir: string, args: string[], showDownloads: boolean) {
  await goInstall(`go.opentelemetry.io/collector/cmd/builder@v${version}`, workDir, workDir, showDownloads);
  const manifest = manifestOf(distribution).replace(/output_path: .*/, `output_path: ${path.join(workDir, 'build')}`);
  fs.writeFileSync(path.join(workDir, 'manifest.yaml'), manifest);
  await run(path.join(workDir, 'builder'), ['--config', 'manifest.yaml', ...args], workDir, goEnv, showDownloads);
}

const config = (layout: Layout, role?: 'agent' | 'gateway') =>
  `--config=${layout.repoPath('collector', role ? `config.${role}.yaml` : 'config.yaml')}`;

/** Where every collector sends, and its own ports (the copies of a replicated one step them). */
function collectorEnv(layout: Layout, recipe: BackendRecipe): Record<string, string> {
  return {
    COLLECTOR_LISTEN_HOST: layout.listenHost,
    COLLECTOR_QUEUE_DIR: layout.dataDir,
    COLLECTOR_OTLP_GRPC_PORT: String(instancePort(recipe, 'otlpGrpc', layout)),
    COLLECTOR_OTLP_HTTP_PORT: String(instancePort(recipe, 'otlpHttp', layout)),
    COLLECTOR_HEALTH_PORT: String(instancePort(recipe, 'http', layout)),
    COLLECTOR_METRICS_PORT: String(instancePort(recipe, 'metrics', layout)),
    JAEGER_OTLP_GRPC_ADDR: layout.address('jaeger', 4327),
    PROMETHEUS_URL: `http://${layout.address('prometheus', 9090)}`,
    VICTORIALOGS_URL: `http://${layout.address('victorialogs', 9428)}`,
  };
}

function collectorBuild(distribution: Distribution, binary: string, estimateS: number): GoBuild {
  return {
    version: VERSION,
    recipe: 2,
    estimateS,
    binaries: [binary],
    inputs: () => manifestOf(distribution),
    async build(version, workDir, outDir) {
      await runBuilder(version, distribution, workDir, [], true);
      fs.renameSync(path.join(workDir, 'build', 'otelcol-tracelab'), path.join(outDir, binary));
    },
    // The generated sources and their modules, without compiling.
    fetch: (version, workDir) => runBuilder(version, distribution, workDir, ['--skip-compilation'], false),
  };
}

/** The default topology's collector, and every gateway collector: no load-balancing exporter. */
const build = collectorBuild('default', 'collector', ESTIMATE_S.default);
/** The scaled topology's agent: the same and the load-balancing exporter (compiled mostly from the cache the first left). */
export const collectorScaledBuild = collectorBuild('scaled', 'collector-scaled', ESTIMATE_S.scaled);

/** Natively, the agent's list of ready gateways (merged over config.agent.yaml's DNS resolver). */
const GATEWAYS_FILE = 'gateways.yaml';

export const collector: BackendRecipe = {
  name: 'collector',
  title: 'Collector',
  summary: 'OpenTelemetry Collector: OTLP and StatsD in, span metrics, redaction, out to the backends (scaled: the agent)',
  build,
  // The scaled topology's agent routes by trace id: its distribution has the load-balancing exporter.
  native: { binary: { default: 'collector', scaled: 'collector-scaled' } },
  ports: BACKEND_PORTS.collector,
  ready: { port: 'http', path: '/' },
  // collector-gateway runs only in the scaled topology (a missing dependency is dropped).
  dependsOn: ['jaeger', 'prometheus', 'victorialogs', 'collector-gateway'],
  // Every exporter queues on disk for 15 minutes (config.yaml): a backend may still be building.
  startsWithout: ['jaeger', 'prometheus', 'victorialogs'],
  firstTrace: true,
  configFolders: ['collector'],
  // Its persistent sending queues (file_storage) live in its data folder.
  stateful: true,
  args: (layout) => [
    config(layout),
    ...(layout.topology === 'scaled'
      ? [config(layout, 'agent'), ...(layout.mode === 'native' ? [`--config=${path.join(layout.dataDir, GATEWAYS_FILE)}`] : [])]
      : []),
  ],
  env: (layout) => ({
    ...collectorEnv(layout, collector),
    ...(layout.topology === 'scaled'
      ? { GATEWAY_COLLECTORS_HOST: 'collector-gateway', GATEWAY_COLLECTORS_PORT: String(collectorGateway.ports.otlpGrpc) }
      : {}),
  }),
  discovers: {
    backend: 'collector-gateway',
    port: 'otlpGrpc',
    file: GATEWAYS_FILE,
    render: (addresses) =>
      `# Written by the native runner (tools/runner/): the gateway collectors that are ready now.\n${stringify({
        exporters: { 'load_balancing/gateways': { resolver: { dns: { enabled: false }, static: { hostnames: addresses } } } },
      })}`,
  },
  compose: {
    build: { context: './collector', args: { COLLECTOR_VERSION: VERSION } },
    healthcheck: true,
    dataDir: '/var/lib/otelcol/queue',
  },
};

export const collectorGateway: BackendRecipe = {
  name: 'collector-gateway',
  title: 'gateway collectors',
  summary: 'scaled topology: a gateway collector; span metrics from every span, then tail sampling, to Jaeger',
  native: { binary: 'collector' },
  topologies: ['scaled'],
  replicas: { count: 2, portStep: 10 },
  ports: BACKEND_PORTS['collector-gateway'],
  ready: { port: 'http', path: '/' },
  // Not Prometheus: in compose it lives in the agent's network namespace, and the agent waits for
  // the gateways. The span metrics wait in the persistent queue until Prometheus answers.
  dependsOn: ['jaeger'],
  startsWithout: ['jaeger'],
  firstTrace: true,
  configFolders: ['collector'],
  stateful: true,
  args: (layout) => [config(layout), config(layout, 'gateway')],
  env: (layout) => ({ ...collectorEnv(layout, collectorGateway), COLLECTOR_NAME: `collector-gateway-${layout.replica}` }),
  compose: {
    build: { context: './collector', args: { COLLECTOR_VERSION: VERSION } },
    healthcheck: true,
    dataDir: '/var/lib/otelcol/queue',
  },
};
