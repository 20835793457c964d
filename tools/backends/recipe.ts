// What a backend recipe says: how its binaries are built from the Go module proxy, and how it
// runs, natively and in compose. One module per backend in this folder; index.ts lists them.
import { AsyncLocalStorage } from 'node:async_hooks';
import { execFile, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { ServiceRegistry } from '../../services/registry';

/**
 * Which processes run. `default`: one collector in front of single-node backends. `scaled`: an
 * agent collector routing by trace id to gateway collectors that tail-sample, and VictoriaLogs as
 * a cluster (docs/scaling.md).
 */
export const TOPOLOGIES = ['default', 'scaled'] as const;
export type Topology = (typeof TOPOLOGIES)[number];

/** Where things are for one run mode: the runner and the compose generator each supply one. */
export interface Layout {
  mode: 'native' | 'compose';
  topology: Topology;
  /** Which copy of a replicated backend this process is (1-based; 1 for the others). */
  replica: number;
  /** Address servers listen on. */
  listenHost: string;
  /** A file or folder of the repository as the process sees it. */
  repoPath(...parts: string[]): string;
  /** host:port at which this process reaches another component's port. */
  address(target: string, port: number): string;
  /** The process's storage folder. */
  dataDir: string;
  /** Control token for the services' /v1/control endpoints. */
  controlToken: string;
  /** The services the backends serve (services/registry.ts; a test passes a copy). */
  services: ServiceRegistry;
  /** Natively: the file where the runner says what is still building (local/stack-status.ts). */
  stackStatusFile?: string;
}

/** One Go build that yields one or more binaries, cached under a key of version and recipe. */
export interface GoBuild {
  /** The release it builds (the build step maps it to a module version where they differ). */
  version: string;
  binaries: string[];
  /** Bump when the build steps change: part of the cache key, so old binaries are not reused. */
  recipe: number;
  /**
   * Seconds a cold build took on a quiet 2-core machine (docs/backends.md): the progress estimate
   * until this machine has built it once and recorded its own time.
   */
  estimateS: number;
  /** Extra inputs that change the build (hashed into the cache key). */
  inputs?: () => string;
  build: (version: string, workDir: string, outDir: string) => Promise<void>;
  /**
   * Downloads what `build` will need into the Go module cache without compiling, so it can run
   * while another component compiles (downloads wait on the network, compiles on the CPU).
   */
  fetch?: (version: string, workDir: string) => Promise<void>;
  /**
   * Built only when asked for by name (`backends.js build <name>`, `ensureBackend`), never by
   * the build-everything default that `npm test` runs: tools only a benchmark needs.
   */
  onDemand?: boolean;
}

export interface ComposeRecipe {
  /** An image, or a build context with args (the same versions as the native build). */
  image?: string;
  build?: { context: string; args?: Record<string, string> };
  /** Runs in another service's network namespace (so its loopback addresses hold). */
  networkOf?: string;
  /** Ports published on the host (127.0.0.1 only). */
  publish?: number[];
  /** Storage folder inside the container. */
  dataDir?: string;
  /** Runs as this user (an image whose user cannot write its data volume). */
  user?: string;
  /** The image has wget for a health check (distroless images do not). */
  healthcheck?: boolean;
  /** Entries a user must set, e.g. Grafana's admin password. */
  extraEnvironment?: Record<string, string>;
}

export interface BackendRecipe {
  name: string;
  /** What a person calls it (the console's "Prometheus: building"). */
  title: string;
  /** One line: what it is for. */
  summary: string;
  /** Built from the Go module proxy; absent for Node processes and tools found on PATH. */
  build?: GoBuild;
  /**
   * How the native runner finds the executable: its own built binary (default), another
   * backend's binary, a Node script, or PATH.
   */
  native?: { binary: string | Record<Topology, string> } | { node: string } | { path: string[] };
  /** The topologies it runs in (default: every one). */
  topologies?: readonly Topology[];
  /**
   * Runs as `count` processes named `<name>-1`, `<name>-2`…; copy n listens on every port plus
   * (n-1)·portStep, so the copies share a host natively.
   */
  replicas?: { count: number; portStep: number };
  /**
   * Natively, keeps a config file in its data folder listing the ready copies of another,
   * replicated backend, and sends SIGHUP (reload) when that list changes: the part DNS plays in
   * compose and Kubernetes, where a dead copy drops out of the name's addresses.
   */
  discovers?: { backend: string; port: string; file: string; render(addresses: string[]): string };
  /** Named ports it listens on; `http` is the one its readiness check uses. */
  ports: Record<string, number>;
  ready: { port: string; path: string };
  /** Components it sends to or reads from, started first. */
  dependsOn: string[];
  /**
   * Of `dependsOn`, those it starts without, natively, while their binaries are still being
   * built (a staged cold start): what it sends them waits in its persistent queue, or it says
   * that they are still building. Once built, they are started first as usual.
   */
  startsWithout?: string[];
  /**
   * The first trace on screen needs it (with the services): its binary is built before the
   * others', and `npm start` says when all of these run.
   */
  firstTrace?: boolean;
  /** Repository folders holding its configuration (mounted read-only in compose). */
  configFolders: string[];
  /**
   * A config file whose format cannot read the environment, derived from the registries for each
   * mode by `npm run compose:generate`: the native one at `path` (relative to the repository),
   * compose's beside it with `.compose` before the extension, mounted over the native one.
   */
  derivedConfig?: { path: string[]; content(layout: Layout): string };
  /** Keeps data between runs in a folder of its own. */
  stateful: boolean;
  args(layout: Layout): string[];
  env?(layout: Layout): Record<string, string>;
  compose: ComposeRecipe;
}

// GOWORK=off: some modules ship a go.work naming folders that are not in the module zip.
// GOGC=400: the compiler collects garbage a quarter as often, using more memory (24 GiB here):
// a build from an empty cache took about 12 % less time (docs/backends.md). Same binaries.
export const goEnv = { ...process.env, CGO_ENABLED: '0', GOFLAGS: '-buildvcs=false', GOWORK: 'off', GOGC: '400' };

/** Where the build that is running writes its commands' whole output (set by tools/backends/cache.ts). */
export const buildLog = new AsyncLocalStorage<(text: string) => void>();

/** Runs a command into the build log; `showDownloads` echoes its module downloads to the terminal. */
export function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = goEnv, showDownloads = true): Promise<void> {
  return new Promise((resolve, reject) => {
    const write = buildLog.getStore();
    write?.(`$ ${command} ${args.join(' ')}\n`);
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let tail = '';
    const keep = (chunk: Buffer) => {
      const text = chunk.toString();
      write?.(text);
      tail = (tail + text).slice(-4000);
      // Module downloads are the slow, silent part on a fresh machine: show them.
      if (showDownloads) for (const line of text.split('\n')) if (line.startsWith('go: downloading')) process.stdout.write(`    ${line}\n`);
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
export async function goInstall(target: string, workDir: string, outDir: string, showDownloads = true): Promise<void> {
  await run('go', ['install', target], workDir, { ...goEnv, GOBIN: outDir }, showDownloads);
}

/** Binaries built inside a downloaded module (see insideModule). */
export interface ModuleBuild {
  module: string;
  /** The module version a release is published as (default `v<release>`). */
  moduleVersion?: (version: string) => string;
  /** Each package to build and the binary it becomes. */
  packages: { pkg: string; binary: string; flags?: string[] }[];
  /** Changes to the copied source before building (e.g. a placeholder for an absent UI bundle). */
  prepare?: (src: string) => void;
}

/** Downloads module@version and returns a writable, prepared copy of it under workDir. */
async function moduleSource(spec: ModuleBuild, version: string, workDir: string): Promise<string> {
  const target = `${spec.module}@${version}`;
  // Asynchronously, so the progress ticker keeps going through a slow download.
  const info = await new Promise<{ Dir?: string; Error?: string }>((resolve) => {
    execFile('go', ['mod', 'download', '-json', target], { env: goEnv, maxBuffer: 1 << 20 }, (error, stdout, stderr) => {
      buildLog.getStore()?.(`$ go mod download -json ${target}\n${stdout}${stderr}`);
      try {
        resolve(JSON.parse(stdout));
      } catch {
        resolve({ Error: String(stderr || error) });
      }
    });
  });
  if (!info.Dir) throw new Error(`go mod download ${target}: ${info.Error ?? 'no Dir'}`);
  const src = path.join(workDir, 'src');
  fs.cpSync(info.Dir, src, { recursive: true });
  execFileSync('chmod', ['-R', 'u+w', src]);
  spec.prepare?.(src);
  return src;
}

/**
 * Modules with replace/exclude directives cannot be `go install`ed: download the module and
 * build inside a writable copy of it, as its own Makefile would. `fetch` lists the packages'
 * imports, which downloads every module the build needs and compiles nothing.
 */
export function insideModule(spec: ModuleBuild): Pick<GoBuild, 'fetch' | 'build'> {
  const moduleVersion = spec.moduleVersion ?? ((version: string) => `v${version}`);
  return {
    async fetch(version, workDir) {
      const src = await moduleSource(spec, moduleVersion(version), workDir);
      for (const p of spec.packages) await run('go', ['list', '-deps', ...(p.flags ?? []), p.pkg], src, goEnv, false);
    },
    async build(version, workDir, outDir) {
      const src = await moduleSource(spec, moduleVersion(version), workDir);
      for (const p of spec.packages) {
        // -s -w: no symbol table or DWARF (stack traces keep their function names): a third
        // smaller binary and a faster link, as ocb does for the collector.
        await run('go', ['build', '-ldflags=-s -w', ...(p.flags ?? []), '-o', path.join(outDir, p.binary), p.pkg], src);
      }
    },
  };
}

/** A compose variable reference (`${NAME}`), resolved by Compose from the user's environment. */
export const composeVar = (name: string, suffix = '') => `\${${name}${suffix}}`;

/** The built binary a backend runs natively in a topology (undefined: a Node script or a tool on PATH). */
export function nativeBinary(recipe: BackendRecipe, topology: Topology): string | undefined {
  if (!recipe.native) return recipe.name;
  if (!('binary' in recipe.native)) return undefined;
  const { binary } = recipe.native;
  return typeof binary === 'string' ? binary : binary[topology];
}

/** Whether a backend runs in a topology. */
export const runsIn = (recipe: BackendRecipe, topology: Topology) => !recipe.topologies || recipe.topologies.includes(topology);

/** The process names of a backend: its name, or one per copy. */
export const instanceNames = (recipe: BackendRecipe) =>
  recipe.replicas ? Array.from({ length: recipe.replicas.count }, (_, i) => `${recipe.name}-${i + 1}`) : [recipe.name];

/**
 * A named port of one copy of a backend. The copies step their ports only natively, where they
 * share 127.0.0.1; in compose each has its own address (and a DNS name can list them all).
 */
export function instancePort(recipe: BackendRecipe, port: string, layout: Pick<Layout, 'mode' | 'replica'>): number {
  const base = recipe.ports[port];
  if (base === undefined) throw new Error(`${recipe.name} has no port "${port}"`);
  return layout.mode === 'native' ? base + (layout.replica - 1) * (recipe.replicas?.portStep ?? 0) : base;
}

/** host:port of a named port on every copy of a replicated backend, as `layout` reaches them. */
export const instanceAddresses = (layout: Layout, recipe: BackendRecipe, port: string) =>
  instanceNames(recipe).map((name, i) => layout.address(name, instancePort(recipe, port, { mode: layout.mode, replica: i + 1 })));
