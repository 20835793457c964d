// Jaeger v2: trace storage and query API, and the Monitor (SPM) API over the span metrics.
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../../local/paths';
import { BACKEND_PORTS } from '../../local/ports';
import { type BackendRecipe, composeVar, insideModule } from './recipe';

const componentsFile = path.join(repoRoot, 'tools', 'backends', 'jaeger-components.go');
/** Removes the text from `from` up to (not including) `to`; a pinned source must have both. */
function cut(text: string, from: string, to: string, file: string): string {
  const start = text.indexOf(from);
  const end = start < 0 ? -1 : text.indexOf(to, start + from.length);
  if (end < 0) throw new Error(`${file}: "${from.trim()}" … "${to.trim()}" not found: does the edit still fit this Jaeger version?`);
  return text.slice(0, start) + text.slice(end);
}

/** Removes the lines that contain any of `parts`; each must be there. */
function dropLines(text: string, parts: string[], file: string): string {
  for (const part of parts) if (!text.includes(part)) throw new Error(`${file}: no line with "${part}"`);
  return text
    .split('\n')
    .filter((line) => !parts.some((part) => line.includes(part)))
    .join('\n');
}

/**
 * Edits the downloaded source of Jaeger's storage extension so that it knows only the storage
 * tracelab uses (memory, Badger; Prometheus for the Monitor tab): its Elasticsearch, OpenSearch,
 * Cassandra, ClickHouse and remote gRPC clients are then not compiled in. Every edit names text
 * the pinned version has, and the build fails loudly where it does not.
 */
function onlyMemoryAndBadger(src: string): void {
  const dir = path.join(src, 'cmd', 'jaeger', 'internal', 'extension', 'jaegerstorage');
  const storage = (name: string) => `"github.com/jaegertracing/jaeger/internal/storage/${name}"`;
  const extension = path.join(dir, 'extension.go');
  let ext = fs.readFileSync(extension, 'utf8');
  ext = dropLines(ext, ['metricstore/elasticsearch', 'v2/cassandra', 'v2/clickhouse', 'v2/elasticsearch', storage('v2/grpc')], extension);
  ext = cut(ext, '\t\tcase cfg.GRPC != nil:', '\t\tdefault:\n\t\t\t// default case', extension);
  ext = cut(ext, '\t\tcase cfg.Elasticsearch != nil:', '\t\tdefault:\n\t\t\terr = fmt.Errorf("no metric backend', extension);
  fs.writeFileSync(extension, ext);

  const config = path.join(dir, 'config.go');
  let conf = fs.readFileSync(config, 'utf8');
  conf = dropLines(
    conf,
    [
      '\t"time"',
      'cassandra/config"',
      storage('v1/cassandra'),
      'es "github.com/jaegertracing/jaeger/internal/storage/v1/elasticsearch"',
      storage('v2/clickhouse'),
      storage('v2/grpc'),
      '*grpc.Config',
      '*cassandra.Options',
      '*escfg.Configuration',
      '*clickhouse.Configuration',
    ],
    config,
  );
  conf = cut(conf, '\tif conf.IsSet("grpc") {', '\treturn conf.Unmarshal(cfg)', config);
  conf = cut(conf, '\tif conf.IsSet("elasticsearch") {', '\treturn conf.Unmarshal(cfg)', config);
  fs.writeFileSync(config, conf);
}

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
    recipe: 3,
    estimateS: 240,
    binaries: ['jaeger'],
    inputs: () => MODULE_VERSION + fs.readFileSync(componentsFile, 'utf8'),
    ...insideModule({
      module: 'github.com/jaegertracing/jaeger',
      moduleVersion: () => `v${MODULE_VERSION}`,
      packages: [{ pkg: './cmd/jaeger', binary: 'jaeger' }],
      // Only the components jaeger/config.yaml uses (the file says what is left out and why),
      // and only the storage it uses.
      prepare: (src) => {
        fs.copyFileSync(componentsFile, path.join(src, 'cmd', 'jaeger', 'internal', 'components.go'));
        onlyMemoryAndBadger(src);
      },
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
