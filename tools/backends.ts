// Builds the telemetry backends from the Go module proxy and caches the binaries outside the
// clone, keyed by component, version and recipe, so only the first start on a machine pays.
//
//   node dist/tools/backends.js build [name…]   build what is missing (default: all)
//   node dist/tools/backends.js path <name>     print a binary's path (building it if missing)
//   node dist/tools/backends.js list            versions and cache state

import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GO_BUILDS, type GoBuild } from './backends/index';

/** A binary some Go build yields (collector, promtool, docker-compose, …). */
export type BackendName = string;

export const backendNames = Object.values(GO_BUILDS).flatMap((c) => c.binaries);

function componentOf(name: BackendName): [string, GoBuild] {
  const entry = Object.entries(GO_BUILDS).find(([, c]) => c.binaries.includes(name));
  if (!entry) throw new Error(`unknown backend "${name}"; known: ${backendNames.join(', ')}`);
  return entry;
}

export function cacheRoot(): string {
  return path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'tracelab', 'bin');
}

function componentDir(key: string, component: GoBuild): { dir: string; version: string } {
  const { version } = component;
  const recipe = createHash('sha256')
    .update(String(component.recipe))
    .update(component.inputs?.() ?? '')
    .digest('hex')
    .slice(0, 8);
  return { dir: path.join(cacheRoot(), `${key}-${version}-${recipe}`), version };
}

/** A directory lock: mkdir is atomic, and a lock whose owner died is taken over. */
async function withLock<T>(lockDir: string, work: () => Promise<T>): Promise<T> {
  fs.mkdirSync(path.dirname(lockDir), { recursive: true });
  for (;;) {
    try {
      fs.mkdirSync(lockDir);
      fs.writeFileSync(path.join(lockDir, 'pid'), String(process.pid));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number(fs.readFileSync(path.join(lockDir, 'pid'), { encoding: 'utf8', flag: 'a+' }) || 0);
      if (owner && !isAlive(owner)) fs.rmSync(lockDir, { recursive: true, force: true });
      else await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
  try {
    return await work();
  } finally {
    fs.rmSync(lockDir, { recursive: true, force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const building = new Map<string, Promise<string>>();

async function ensureComponent(key: string, component: GoBuild): Promise<string> {
  const { dir, version } = componentDir(key, component);
  const complete = () => component.binaries.every((b) => fs.existsSync(path.join(dir, b)));
  if (complete()) return dir;
  let pending = building.get(key);
  if (!pending) {
    pending = withLock(`${dir}.lock`, async () => {
      if (complete()) return dir; // another process built it while we waited
      const started = Date.now();
      console.log(`[backends] building ${key} ${version} from the Go module proxy (first run on this machine)…`);
      const workDir = fs.mkdtempSync(path.join(os.tmpdir(), `tracelab-${key}-`));
      const outDir = `${dir}.partial`;
      fs.rmSync(outDir, { recursive: true, force: true });
      fs.mkdirSync(outDir, { recursive: true });
      try {
        await component.build(version, workDir, outDir);
        fs.renameSync(outDir, dir);
      } finally {
        fs.rmSync(workDir, { recursive: true, force: true });
        fs.rmSync(outDir, { recursive: true, force: true });
      }
      console.log(`[backends] built ${key} ${version} in ${((Date.now() - started) / 1000).toFixed(0)} s → ${dir}`);
      return dir;
    });
    building.set(key, pending);
  }
  return pending;
}

/** Absolute path of a backend binary, built and cached on first use. */
export async function ensureBackend(name: BackendName): Promise<string> {
  const [key, component] = componentOf(name);
  return path.join(await ensureComponent(key, component), name);
}

/** Builds one at a time: the machine has two cores and each Go build uses both. */
export async function ensureBackends(names: BackendName[] = backendNames): Promise<Record<BackendName, string>> {
  const paths = {} as Record<BackendName, string>;
  for (const name of names) paths[name] = await ensureBackend(name);
  return paths;
}

/** The first of these executables found on PATH (tools that are installed, not built). */
export function findOnPath(names: readonly string[]): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    for (const name of names) {
      const candidate = path.join(dir, name);
      if (dir && fs.existsSync(candidate)) return candidate;
    }
  }
  return undefined;
}

async function main(argv: string[]): Promise<void> {
  const [command = 'build', ...rest] = argv;
  const names = rest as BackendName[];
  if (command === 'build') {
    const started = Date.now();
    await ensureBackends(names.length ? names : undefined);
    console.log(`[backends] all binaries ready (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  } else if (command === 'path' && names.length === 1) {
    console.log(await ensureBackend(names[0]!));
  } else if (command === 'list') {
    for (const [key, component] of Object.entries(GO_BUILDS)) {
      const { dir, version } = componentDir(key, component);
      const cached = component.binaries.every((b) => fs.existsSync(path.join(dir, b)));
      console.log(`${key.padEnd(13)} ${version.padEnd(10)} ${cached ? 'cached ' : 'missing'} ${dir}`);
    }
  } else {
    throw new Error('usage: backends.js build [name…] | path <name> | list');
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(`[backends] ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
