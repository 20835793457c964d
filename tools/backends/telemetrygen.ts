// telemetrygen, the OpenTelemetry Collector project's load generator (OTLP traces over gRPC or
// HTTP at a set rate): the load of `npm run bench:collector`. A build-only tool, built on demand:
// `npm test` and `npm start` never wait for it.
import { collector } from './collector';
import { type GoBuild, goInstall } from './recipe';

const MODULE = 'github.com/open-telemetry/opentelemetry-collector-contrib/cmd/telemetrygen';

export const telemetrygenBuild: GoBuild = {
  // Released with the collector-contrib modules: the collector's own version, whatever it is.
  version: collector.build!.version,
  recipe: 1,
  // 84 s to compile from an empty build cache here (modules already downloaded); 86 s for the
  // first build through tools/backends/cache.ts on a busy machine, downloads included.
  estimateS: 90,
  binaries: ['telemetrygen'],
  onDemand: true,
  // Its go.mod has no replace directives: `go install` builds it as released.
  build: (version, workDir, outDir) => goInstall(`${MODULE}@v${version}`, workDir, outDir),
};
