// Builds the telemetry backends from the Go module proxy and caches the binaries outside the
// clone, keyed by component, version and recipe, so only the first start on a machine pays.
// The CLI is tools/cli/backends.ts (npm run backends).

import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GO_BUILDS, type GoBuild } from './index';
import { buildLog } from './recipe';

/** A binary some Go build yields (collector, promtool, docker-compose, …). */
export type BackendName = string;

export const backendNames = Object.values(GO_BUILDS).flatMap((c) => c.binaries);

/** What `build` without names builds: every binary but those of on-demand builds. */
export const defaultBackendNames = Object.values(GO_BUILDS)
  .filter((c) => !c.onDemand)
  .flatMap((c) => c.binaries);

function componentOf(name: BackendName): [string, GoBuild] {
  const entry = Object.entries(GO_BUILDS).find(([, c]) => c.binaries.includes(name));
  if (!entry) throw new Error(`unknown backend "${name}"; known: ${backendNames.join(', ')}`);
  return entry;
}

export function cacheRoot(): string {
  return path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'tracelab', 'bin');
}

export function componentDir(key: string, component: GoBuild): { dir: string; version: string } {
  const { version } = component;
  const recipe = createHash('sha256')
    .update(String(component.recipe))
    .update(component.inputs?.() ?? '')
    .digest('hex')
    .slice(0, 8);
  return { dir: path.join(cacheRoot(), `${key}-${version}-${recipe}`), version };
}

/** Whether every binary of a component is in the cache. */
export function isBuilt(key: string, component: GoBuild): boolean {
  const { dir } = componentDir(key, component);
  return component.binaries.every((b) => fs.existsSync(path.join(dir, b)));
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

/** Seconds each component's last build took on this machine: the next progress estimate. */
function buildTimesFile(): string {
  return path.join(cacheRoot(), '..', 'build-times.json');
}

function readBuildTimes(): Record<string, number> {
  try {
    return JSON.parse(fs.readFileSync(buildTimesFile(), 'utf8')) as Record<string, number>;
  } catch {
    return {};
  }
}

function recordBuildTime(key: string, seconds: number): void {
  fs.writeFileSync(buildTimesFile(), `${JSON.stringify({ ...readBuildTimes(), [key]: Math.round(seconds) }, null, 2)}\n`);
}

/** This machine's last time for a component, else the documented estimate. */
function expectedSeconds(key: string, component: GoBuild): { seconds: number; source: string } {
  const measured = readBuildTimes()[key];
  return measured
    ? { seconds: measured, source: 'its last build here' }
    : { seconds: component.estimateS, source: 'first build: estimate' };
}

function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
}

/** What is still to build after the current component, for the overall estimate. */
interface Progress {
  index: number;
  count: number;
  laterSeconds: number;
}

const building = new Map<string, Promise<string>>();

async function ensureComponent(key: string, component: GoBuild, progress?: Progress): Promise<string> {
  const { dir, version } = componentDir(key, component);
  if (isBuilt(key, component)) return dir;
  let pending = building.get(key);
  if (!pending) {
    pending = withLock(`${dir}.lock`, async () => {
      if (isBuilt(key, component)) return dir; // another process built it while we waited
      const expected = expectedSeconds(key, component);
      const step = progress ? `(${progress.index}/${progress.count}) ` : '';
      console.log(
        `[backends] ${step}building ${key} ${version} from the Go module proxy: ~${formatDuration(expected.seconds)} (${expected.source})`,
      );
      const logFile = path.join(cacheRoot(), '..', 'logs', `${key}-${version}.log`);
      fs.mkdirSync(path.dirname(logFile), { recursive: true });
      const log = fs.createWriteStream(logFile);
      const started = Date.now();
      // A line every 30 s: a cold build is minutes of silence otherwise.
      const ticker = setInterval(() => {
        const elapsed = (Date.now() - started) / 1000;
        const later = progress?.laterSeconds ?? 0;
        console.log(
          elapsed < expected.seconds
            ? `[backends]   ${key}: ${formatDuration(elapsed)} so far; about ${formatDuration(expected.seconds - elapsed + later)} left in all`
            : `[backends]   ${key}: ${formatDuration(elapsed)} so far, longer than its ~${formatDuration(expected.seconds)}${later ? `; then about ${formatDuration(later)} more` : ''}`,
        );
      }, 30_000);
      const workDir = fs.mkdtempSync(path.join(os.tmpdir(), `tracelab-${key}-`));
      const outDir = `${dir}.partial`;
      fs.rmSync(outDir, { recursive: true, force: true });
      fs.mkdirSync(outDir, { recursive: true });
      try {
        await buildLog.run(
          (text) => log.write(text),
          () => component.build(version, workDir, outDir),
        );
        fs.renameSync(outDir, dir);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        log.write(`\n${message}\n`);
        const lastLines = message.trimEnd().split('\n').slice(-15);
        throw new Error(
          [
            `building ${key} ${version} failed after ${formatDuration((Date.now() - started) / 1000)}. Its last lines:`,
            ...lastLines.map((line) => `    ${line}`),
            `  whole log: ${logFile}`,
            '  retry with the same command: what finished is cached and not built again.',
          ].join('\n'),
        );
      } finally {
        clearInterval(ticker);
        await new Promise((resolve) => log.end(resolve));
        fs.rmSync(workDir, { recursive: true, force: true });
        fs.rmSync(outDir, { recursive: true, force: true });
      }
      const seconds = (Date.now() - started) / 1000;
      recordBuildTime(key, seconds);
      console.log(`[backends] built ${key} ${version} in ${formatDuration(seconds)} → ${dir}`);
      return dir;
    });
    building.set(key, pending);
  }
  return pending;
}

/** Where a binary is (or will be, once built) in the cache. */
export function binaryPath(name: BackendName): string {
  const [key, component] = componentOf(name);
  return path.join(componentDir(key, component).dir, name);
}

/**
 * Builds what is missing. The native runner takes one as a dependency, so that a test can hold
 * one backend's build back while the rest of the stack runs.
 */
export interface Builder {
  /** Seconds the build of a binary is expected to take; undefined when it is built. */
  pendingSeconds(name: BackendName): number | undefined;
  /** Builds the binaries one component at a time in this order; `onBuilt` as each is ready. */
  build(names: BackendName[], onBuilt: (name: BackendName) => void): Promise<void>;
}

/** The binary cache as the runner's builder. */
export const binaryCache: Builder = {
  pendingSeconds(name) {
    const [key, component] = componentOf(name);
    return isBuilt(key, component) ? undefined : expectedSeconds(key, component).seconds;
  },
  async build(names, onBuilt) {
    await ensureBackends(names, onBuilt);
  },
};

/** Absolute path of a backend binary, built and cached on first use. */
export async function ensureBackend(name: BackendName): Promise<string> {
  const [key, component] = componentOf(name);
  return path.join(await ensureComponent(key, component), name);
}

/**
 * Downloads the modules of components built later, one after the other in build order, while the
 * first compiles: downloads wait on the network, compiles on the CPU. A failed download is left
 * to the component's own build, which tries again and reports it with its log.
 */
export async function fetchAhead(later: [string, GoBuild][]): Promise<void> {
  for (const [key, component] of later) {
    if (!component.fetch || isBuilt(key, component)) continue;
    const workDir = fs.mkdtempSync(path.join(os.tmpdir(), `tracelab-fetch-${key}-`));
    await component.fetch(componentDir(key, component).version, workDir).catch(() => undefined);
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}

/**
 * Builds what is missing one at a time, in the order given (the machine has two cores and each Go
 * build uses both), with the later ones' downloads running meanwhile, saying up front what will
 * be built and how long that should take.
 */
export async function ensureBackends(
  names: BackendName[] = defaultBackendNames,
  onBuilt: (name: BackendName) => void = () => undefined,
): Promise<Record<BackendName, string>> {
  const missing = [...new Map(names.map((name) => componentOf(name))).entries()].filter(([key, component]) => !isBuilt(key, component));
  for (const name of names) if (!missing.some(([, component]) => component.binaries.includes(name))) onBuilt(name);
  const seconds = missing.map(([key, component]) => expectedSeconds(key, component).seconds);
  if (missing.length) {
    const plan = missing.map(([key], i) => `${key} ~${formatDuration(seconds[i]!)}`).join(', ');
    const total = seconds.reduce((a, b) => a + b, 0);
    console.log(`[backends] ${missing.length} to build once on this machine (${plan}): about ${formatDuration(total)} in all`);
  }
  const later = missing.slice(1).filter(([, component]) => component.fetch);
  if (later.length) console.log(`[backends] meanwhile the modules of ${later.map(([key]) => key).join(', ')} download in the background`);
  const downloads = fetchAhead(later);
  for (const [i, [key, component]] of missing.entries()) {
    const laterSeconds = seconds.slice(i + 1).reduce((a, b) => a + b, 0);
    await ensureComponent(key, component, { index: i + 1, count: missing.length, laterSeconds });
    for (const name of names) if (component.binaries.includes(name)) onBuilt(name);
  }
  await downloads;
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
