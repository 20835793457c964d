// The backend registry: every telemetry backend tracelab runs, one recipe module each. The
// native runner (tools/runner/), the binary cache (cache.ts) and the generators (tools/generate/)
// derive their tables and start order from this list.
import { alertRecorder } from './alert-recorder';
import { alertmanager } from './alertmanager';
import { collector, collectorGateway, collectorScaledBuild } from './collector';
import { tracelabConsole } from './console';
import { dockerComposeBuild } from './docker-compose';
import { grafana } from './grafana';
import { jaeger } from './jaeger';
import { helmBuild, kubectlValidateBuild } from './kubernetes';
import { nats } from './nats';
import { prometheus, promtoolBuild } from './prometheus';
import type { BackendRecipe, GoBuild } from './recipe';
import { telemetrygenBuild } from './telemetrygen';
import { victorialogs, victorialogsStorage } from './victorialogs';

export type { BackendRecipe, GoBuild, Layout, Topology } from './recipe';
export { composeVar, instanceNames, instancePort, nativeBinary, runsIn, TOPOLOGIES } from './recipe';

export const BACKENDS: readonly BackendRecipe[] = [
  collector,
  collectorGateway,
  jaeger,
  prometheus,
  alertmanager,
  alertRecorder,
  victorialogs,
  victorialogsStorage,
  nats,
  grafana,
  tracelabConsole,
];

/** Every Go build, by component: the backends' and the build-only tools'. */
export const GO_BUILDS: Record<string, GoBuild> = {
  ...Object.fromEntries(BACKENDS.flatMap((b) => (b.build ? [[b.name, b.build]] : []))),
  'collector-scaled': collectorScaledBuild,
  compose: dockerComposeBuild,
  promtool: promtoolBuild,
  helm: helmBuild,
  'kubectl-validate': kubectlValidateBuild,
  telemetrygen: telemetrygenBuild,
};

export function backend(name: string): BackendRecipe {
  const found = BACKENDS.find((b) => b.name === name);
  if (!found) throw new Error(`unknown backend "${name}"; known: ${BACKENDS.map((b) => b.name).join(', ')}`);
  return found;
}

/** Orders items so that each comes after everything it depends on (a cycle is an error). */
export function startOrder<T extends { name: string; dependsOn: readonly string[] }>(items: readonly T[]): T[] {
  const byName = new Map(items.map((item) => [item.name, item]));
  const ordered: T[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (item: T, chain: string[]) => {
    if (state.get(item.name) === 'done') return;
    if (state.get(item.name) === 'visiting') throw new Error(`dependency cycle: ${[...chain, item.name].join(' → ')}`);
    state.set(item.name, 'visiting');
    for (const dependency of item.dependsOn) {
      const next = byName.get(dependency);
      if (!next) throw new Error(`${item.name} depends on unknown "${dependency}"`);
      visit(next, [...chain, item.name]);
    }
    state.set(item.name, 'done');
    ordered.push(item);
  };
  for (const item of items) visit(item, []);
  return ordered;
}
