// What the native stack runs, as a list of processes in start order: the backends of a topology
// (tools/backends/) and the services (services/registry.ts), each with its command, ports,
// readiness check and dependencies; and the config files a backend keeps of another's copies.
import path from 'node:path';
import { distDir, repoRoot } from '../../local/paths';
import { SERVICE_NAMES, SERVICE_REGISTRY, type ServiceName } from '../../services/registry';
import { binaryPath, findOnPath } from '../backends/cache';
import { BACKENDS, type BackendRecipe, backend, instanceNames, instancePort, nativeBinary, runsIn, type Topology } from '../backends/index';
import { nativeLayout } from '../backends/layouts';
import type { ProcessSpec } from './process';
import { serviceProcessSpec } from './services';

/** One process of the native stack. */
export interface StackProcess {
  name: string;
  /** What a person calls it: its backend's title, or the service's name. */
  title: string;
  /** The backend it is (a copy of), for backends. */
  backend?: string;
  dependsOn: readonly string[];
  /** Of dependsOn, those it starts without while their binaries are still being built. */
  startsWithout: readonly string[];
  /** The first trace on screen needs it. */
  firstTrace: boolean;
  /** The built binary it runs (tools/backends/cache.ts), which may still have to be built. */
  binary?: string;
  ports: number[];
  dataDir?: string;
  spec: ProcessSpec;
}

/**
 * The command that runs a backend natively (a built binary, whether or not it is built yet), or
 * undefined when it is not available here.
 */
function nativeCommand(recipe: BackendRecipe, topology: Topology): { command: string; prefix: string[]; binary?: string } | undefined {
  const binary = nativeBinary(recipe, topology);
  if (binary) return { command: binaryPath(binary), prefix: [], binary };
  if (recipe.native && 'node' in recipe.native)
    return { command: process.execPath, prefix: [path.join(distDir, 'tools', recipe.native.node)] };
  const found = recipe.native && 'path' in recipe.native ? findOnPath(recipe.native.path) : undefined;
  return found ? { command: found, prefix: [] } : undefined;
}

/** The backends of a topology as processes; their binaries are built by the supervisor. */
export function backendProcesses(
  data: string,
  stackStatusFile: string,
  controlToken: string,
  topology: Topology,
  log: (line: string) => void,
): StackProcess[] {
  const processes: StackProcess[] = [];
  for (const recipe of BACKENDS.filter((r) => runsIn(r, topology))) {
    const command = nativeCommand(recipe, topology);
    if (!command) {
      log(`  - ${recipe.name.padEnd(16)} not found on PATH: ${recipe.summary}`);
      continue;
    }
    for (const [index, name] of instanceNames(recipe).entries()) {
      const layout = { ...nativeLayout(name, data, controlToken, topology, index + 1), stackStatusFile };
      // A dependency on a replicated backend is one on each of its copies.
      const copies = (names: readonly string[]) => names.flatMap((d) => instanceNames(backend(d)));
      processes.push({
        name,
        title: recipe.title,
        backend: recipe.name,
        dependsOn: copies(recipe.dependsOn),
        startsWithout: copies(recipe.startsWithout ?? []),
        firstTrace: recipe.firstTrace ?? false,
        ...(command.binary ? { binary: command.binary } : {}),
        ports: Object.keys(recipe.ports).map((port) => instancePort(recipe, port, layout)),
        ...(recipe.stateful ? { dataDir: layout.dataDir } : {}),
        spec: {
          name,
          command: command.command,
          args: [...command.prefix, ...recipe.args(layout)],
          env: recipe.env?.(layout) ?? {},
          cwd: repoRoot,
          readyUrl: `http://127.0.0.1:${instancePort(recipe, recipe.ready.port, layout)}${recipe.ready.path}`,
        },
      });
    }
  }
  // A backend that is not available (Grafana) or not in this topology is nobody's dependency.
  const present = new Set(processes.map((p) => p.name));
  return processes.map((p) => ({
    ...p,
    dependsOn: p.dependsOn.filter((d) => present.has(d)),
    startsWithout: p.startsWithout.filter((d) => present.has(d)),
  }));
}

/**
 * The config files a backend keeps of another's ready copies (`discovers`), rewritten when a copy
 * becomes ready or dies; the watching process is told to reload with SIGHUP.
 */
export interface Discovery {
  watcher: string;
  file: string;
  render(addresses: string[]): string;
  /** Address of each copy watched, by process name. */
  addresses: Map<string, string>;
  written?: string;
}

export function discoveries(processes: StackProcess[]): Discovery[] {
  return processes.flatMap((p) => {
    const discovers = p.backend ? backend(p.backend).discovers : undefined;
    if (!discovers || !p.dataDir) return [];
    const watched = backend(discovers.backend);
    const copies = processes.filter((q) => q.backend === watched.name);
    if (!copies.length) return [];
    const addresses = new Map(
      copies.map((q, i) => [q.name, `127.0.0.1:${instancePort(watched, discovers.port, { mode: 'native', replica: i + 1 })}`]),
    );
    return [{ watcher: p.name, file: path.join(p.dataDir, discovers.file), render: discovers.render, addresses }];
  });
}

export function serviceProcesses(controlToken: string): StackProcess[] {
  return SERVICE_NAMES.map((name: ServiceName) => ({
    name,
    title: name,
    // They send to the collector, which queues for the backends; they have no queue of their own.
    dependsOn: ['collector', ...Object.values(SERVICE_REGISTRY[name].calls as Record<string, string>)],
    startsWithout: [],
    firstTrace: true,
    ports: [SERVICE_REGISTRY[name].port, SERVICE_REGISTRY[name].metricsPort],
    spec: serviceProcessSpec(name, { CONTROL_TOKEN: controlToken }),
  }));
}

/**
 * The order in which the binaries that are not built yet are built (one at a time: each Go build
 * takes both cores): what the first trace needs first, in start order; then the others shortest
 * first, so that each joins as early as it can.
 */
export function buildOrder(processes: StackProcess[], pendingSeconds: (binary: string) => number | undefined): string[] {
  const pending = (list: StackProcess[]) => [
    ...new Set(list.flatMap((p) => (p.binary && pendingSeconds(p.binary) !== undefined ? [p.binary] : []))),
  ];
  const first = pending(processes.filter((p) => p.firstTrace));
  const rest = pending(processes).filter((binary) => !first.includes(binary));
  return [...first, ...rest.sort((a, b) => (pendingSeconds(a) ?? 0) - (pendingSeconds(b) ?? 0))];
}
