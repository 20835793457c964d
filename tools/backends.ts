// Builds the telemetry backends from the Go module proxy and caches the binaries outside the
// clone, keyed by component, version and recipe, so only the first start on a machine pays.
//
//   node dist/tools/backends.js build [name…]   build what is missing (default: all)
//   node dist/tools/backends.js path <name>     print a binary's path (building it if missing)
//   node dist/tools/backends.js list            versions and cache state

import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readEnvFile, repoRoot } from './paths';

export type BackendName =
  | 'collector'
  | 'jaeger'
  | 'prometheus'
  | 'promtool'
  | 'victorialogs'
  | 'alertmanager'
  | 'amtool'
  | 'docker-compose';

/** One Go build that yields one or more binaries. */
interface Component {
  /** The .env key holding the version. */
  versionKey: string;
  binaries: BackendName[];
  /** Bump when the build steps change: part of the cache key, so old binaries are not reused. */
  recipe: number;
  /** Extra inputs that change the build (hashed into the cache key). */
  inputs?: () => string;
  build: (version: string, workDir: string, outDir: string) => Promise<void>;
}

/** Versions pinned in /.env, shared with docker compose's image tags. */
export function backendVersions(): Record<string, string> {
  return readEnvFile(path.join(repoRoot, '.env'));
}

// GOWORK=off: some modules ship a go.work naming folders that are not in the module zip.
const goEnv = { ...process.env, CGO_ENABLED: '0', GOFLAGS: '-buildvcs=false', GOWORK: 'off' };

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = goEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let tail = '';
    const keep = (chunk: Buffer) => {
      const text = chunk.toString();
      tail = (tail + text).slice(-4000);
      // Module downloads are the slow, silent part on a fresh machine: show them.
      for (const line of text.split('\n')) if (line.startsWith('go: downloading')) process.stdout.write(`    ${line}\n`);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} failed (exit ${code}):\n${tail}`)),
    );
  });
}

/** `go install module@version` into outDir: for modules without replace directives. */
async function goInstall(target: string, workDir: string, outDir: string): Promise<void> {
  await run('go', ['install', target], workDir, { ...goEnv, GOBIN: outDir });
}

/**
 * Modules with replace/exclude directives cannot be `go install`ed: download the module and
 * build inside a writable copy of it, as its own Makefile would.
 */
async function buildInsideModule(
  module: string,
  version: string,
  workDir: string,
  builds: { pkg: string; out: string; flags?: string[] }[],
  prepare?: (src: string) => void,
): Promise<void> {
  const info = JSON.parse(execFileSync('go', ['mod', 'download', '-json', `${module}@${version}`], { env: goEnv, encoding: 'utf8' })) as {
    Dir?: string;
    Error?: string;
  };
  if (!info.Dir) throw new Error(`go mod download ${module}@${version}: ${info.Error ?? 'no Dir'}`);
  const src = path.join(workDir, 'src');
  fs.cpSync(info.Dir, src, { recursive: true });
  execFileSync('chmod', ['-R', 'u+w', src]);
  prepare?.(src);
  for (const b of builds) {
    await run('go', ['build', ...(b.flags ?? []), '-o', b.out, b.pkg], src);
  }
}

const manifestPath = path.join(repoRoot, 'collector', 'manifest.yaml');

const components: Record<string, Component> = {
  collector: {
    versionKey: 'COLLECTOR_VERSION',
    recipe: 1,
    binaries: ['collector'],
    inputs: () => fs.readFileSync(manifestPath, 'utf8'),
    async build(version, workDir, outDir) {
      await goInstall(`go.opentelemetry.io/collector/cmd/builder@v${version}`, workDir, workDir);
      const manifest = fs.readFileSync(manifestPath, 'utf8').replace(/output_path: .*/, `output_path: ${path.join(workDir, 'build')}`);
      fs.writeFileSync(path.join(workDir, 'manifest.yaml'), manifest);
      await run(path.join(workDir, 'builder'), ['--config', 'manifest.yaml'], workDir);
      fs.renameSync(path.join(workDir, 'build', 'otelcol-tracelab'), path.join(outDir, 'collector'));
    },
  },
  jaeger: {
    // Jaeger v2's module path has no /v2 suffix, so Go cannot use its v2.x tags; its v1.x tags
    // name the same commits (v1.76.0 = v2.13.0). A replace directive means building inside it.
    versionKey: 'JAEGER_VERSION',
    recipe: 1,
    binaries: ['jaeger'],
    inputs: () => backendVersions().JAEGER_MODULE_VERSION ?? '',
    async build(_version, workDir, outDir) {
      const moduleVersion = backendVersions().JAEGER_MODULE_VERSION;
      if (!moduleVersion) throw new Error('JAEGER_MODULE_VERSION is missing from .env');
      await buildInsideModule('github.com/jaegertracing/jaeger', `v${moduleVersion}`, workDir, [
        { pkg: './cmd/jaeger', out: path.join(outDir, 'jaeger') },
      ]);
    },
  },
  prometheus: {
    // Prometheus 3.x is published as module v0.3xx.y; built without `builtinassets` because the
    // web UI assets are not in the module (the HTTP API works).
    versionKey: 'PROMETHEUS_VERSION',
    recipe: 1,
    binaries: ['prometheus', 'promtool'],
    async build(version, workDir, outDir) {
      // Prometheus X.Y.Z is published as Go module v0.(X*100+Y).Z.
      const [major, minor, patch] = version.split('.').map(Number) as [number, number, number];
      await buildInsideModule('github.com/prometheus/prometheus', `v0.${major * 100 + minor}.${patch}`, workDir, [
        { pkg: './cmd/prometheus', out: path.join(outDir, 'prometheus'), flags: ['-tags', 'netgo'] },
        { pkg: './cmd/promtool', out: path.join(outDir, 'promtool'), flags: ['-tags', 'netgo'] },
      ]);
    },
  },
  victorialogs: {
    // The newest VictoriaLogs source the module proxy serves lives inside VictoriaMetrics.
    // Its vendor/ folder is not in the module zip, hence -mod=mod.
    versionKey: 'VICTORIALOGS_SOURCE_VERSION',
    recipe: 1,
    binaries: ['victorialogs'],
    async build(version, workDir, outDir) {
      await buildInsideModule('github.com/VictoriaMetrics/VictoriaMetrics', `v${version}`, workDir, [
        { pkg: './app/victoria-logs', out: path.join(outDir, 'victorialogs'), flags: ['-mod=mod'] },
      ]);
    },
  },
  alertmanager: {
    versionKey: 'ALERTMANAGER_VERSION',
    recipe: 1,
    binaries: ['alertmanager', 'amtool'],
    // Its web UI is embedded from ui/app/dist, which the module zip lacks: build with a
    // placeholder page (the API, which Prometheus and amtool use, is complete).
    async build(version, workDir, outDir) {
      const placeholder = (src: string) => {
        fs.mkdirSync(path.join(src, 'ui', 'app', 'dist'), { recursive: true });
        fs.writeFileSync(path.join(src, 'ui', 'app', 'dist', 'index.html'), '<p>Alertmanager UI not built: use the API or amtool.</p>\n');
      };
      await buildInsideModule(
        'github.com/prometheus/alertmanager',
        `v${version}`,
        workDir,
        [
          { pkg: './cmd/alertmanager', out: path.join(outDir, 'alertmanager') },
          { pkg: './cmd/amtool', out: path.join(outDir, 'amtool') },
        ],
        placeholder,
      );
    },
  },
  compose: {
    // The real Compose v2+ implementation, used to validate docker-compose.yml without an engine.
    versionKey: 'COMPOSE_VERSION',
    recipe: 1,
    binaries: ['docker-compose'],
    // v2.x: newer majors need a newer Go than this machine's.
    async build(version, workDir, outDir) {
      const major = version.split('.')[0];
      await buildInsideModule(`github.com/docker/compose/v${major}`, `v${version}`, workDir, [
        { pkg: './cmd', out: path.join(outDir, 'docker-compose') },
      ]);
    },
  },
};

export const backendNames = Object.values(components).flatMap((c) => c.binaries);

function componentOf(name: BackendName): [string, Component] {
  const entry = Object.entries(components).find(([, c]) => c.binaries.includes(name));
  if (!entry) throw new Error(`unknown backend "${name}"; known: ${backendNames.join(', ')}`);
  return entry;
}

export function cacheRoot(): string {
  return path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'tracelab', 'bin');
}

function componentDir(key: string, component: Component): { dir: string; version: string } {
  const version = backendVersions()[component.versionKey];
  if (!version) throw new Error(`${component.versionKey} is missing from .env`);
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

async function ensureComponent(key: string, component: Component): Promise<string> {
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

/** Grafana cannot be built here (AGPL, and not buildable from the proxy): use one if installed. */
export function findGrafana(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    for (const name of ['grafana', 'grafana-server']) {
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
    for (const [key, component] of Object.entries(components)) {
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
