// What the native stack runs, as a list of processes in start order: the backends of a topology
// (tools/backends/) and the services (services/registry.ts), each with its command, ports,
// readiness check and dependencies; and the config files a backend keeps of another's copies.
import path from 'node:path';
import { distDir, repoRoot } from '../../local/paths';
import { SERVICE_NAMES, SERVICE_REGISTRY, type ServiceName } from '../../services/registry';
import { ensureBackend, ensureBackends, findOnPath } from '../backends/cache';
import { BACKENDS, type BackendRecipe, backend, instanceNames, instancePort, runsIn, type Topology } from '../backends/index';
import { nativeLayout } from '../backends/layouts';
import type { ProcessSpec } from './process';
import { serviceProcessSpec } from './services';

/** One process of the native stack. */
export interface StackProcess {
  name: string;
  /** The backend it is (a copy of), for backends. */
  backend?: string;
  dependsOn: readonly string[];
  ports: number[];
  dataDir?: string;
  spec: ProcessSpec;
}

/** The command that runs a backend natively, or undefined when it is not available here. */
async function nativeCommand(recipe: BackendRecipe): Promise<{ command: string; prefix: string[] } | undefined> {
  if (!recipe.native) return { command: await ensureBackend(recipe.name), prefix: [] };
  if ('binary' in recipe.native) return { command: await ensureBackend(recipe.native.binary), prefix: [] };
  if ('node' in recipe.native) return { command: process.execPath, prefix: [path.join(distDir, 'tools', recipe.native.node)] };
  const found = findOnPath(recipe.native.path);
  return found ? { command: found, prefix: [] } : undefined;
}

export async function backendProcesses(
  data: string,
  controlToken: string,
  topology: Topology,
  log: (line: string) => void,
): Promise<StackProcess[]> {
  const processes: StackProcess[] = [];
  const recipes = BACKENDS.filter((recipe) => runsIn(recipe, topology));
  // Whatever is not built yet is built first, with one plan and estimate for all of it.
  await ensureBackends(recipes.filter((recipe) => !recipe.native).map((recipe) => recipe.name));
  for (const recipe of recipes) {
    const command = await nativeCommand(recipe);
    if (!command) {
      log(`  - ${recipe.name.padEnd(16)} not found on PATH: ${recipe.summary}`);
      continue;
    }
    for (const [index, name] of instanceNames(recipe).entries()) {
      const layout = nativeLayout(name, data, controlToken, topology, index + 1);
      processes.push({
        name,
        backend: recipe.name,
        // A dependency on a replicated backend is one on each of its copies.
        dependsOn: recipe.dependsOn.flatMap((d) => instanceNames(backend(d))),
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
  return processes.map((p) => ({ ...p, dependsOn: p.dependsOn.filter((d) => present.has(d)) }));
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
    dependsOn: ['collector', ...Object.values(SERVICE_REGISTRY[name].calls as Record<string, string>)],
    ports: [SERVICE_REGISTRY[name].port, SERVICE_REGISTRY[name].metricsPort],
    spec: serviceProcessSpec(name, { CONTROL_TOKEN: controlToken }),
  }));
}
