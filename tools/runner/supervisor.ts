// The native stack, no Docker: what runs comes from the backend registry (tools/backends/) and
// the service registry (services/registry.ts) through plan.ts; this file only supervises: check
// ports, build the missing binaries one at a time (what the first trace needs first), start each
// process in dependency order as soon as its binary is built, wait until each is ready, restart
// a process that dies (with backoff), stop everything on Ctrl-C or SIGTERM. A process starts
// without a dependency that is still being built when its recipe says it can (`startsWithout`):
// a cold start shows the first trace before the last backend is built. What is building is
// written to a status file the console reads. Everything binds to 127.0.0.1; state lives in
// .tracelab/ (removed by `npm run clean`). The CLI is tools/cli/stack.ts.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { URLS } from '../../local/addresses';
import { controlTokenFile } from '../../local/control-token';
import { stateDir } from '../../local/paths';
import { type StackStatus, stackStatusFile } from '../../local/stack-status';
import { type Builder, binaryCache } from '../backends/cache';
import { startOrder, type Topology } from '../backends/index';
import { backendProcesses, buildOrder, discoveries, type StackProcess, serviceProcesses } from './plan';
import { busyPorts, type RunningProcess, startProcess } from './process';

export interface ProcessStatus {
  name: string;
  /**
   * building (its binary, or waiting for its turn); waiting (for the processes it needs);
   * starting; running; backoff (died, restart pending); held (stopped on purpose).
   */
  state: 'building' | 'waiting' | 'starting' | 'running' | 'backoff' | 'held';
  pid?: number;
  ports: number[];
  /** Restarts after the process died (supervision), since the stack started. */
  restarts: number;
}

export interface KillOptions {
  /** SIGKILL (default: a crash) or SIGTERM (a clean stop). */
  signal?: 'SIGKILL' | 'SIGTERM';
  /** Let supervision start it again, as after any crash (default false: it stays down until restart()). */
  supervise?: boolean;
}

export interface Stack {
  urls: typeof URLS;
  controlToken: string;
  logDir: string;
  /** Ends one process; it stays down unless `supervise` (fault drills want both). */
  kill(name: string, options?: KillOptions): Promise<void>;
  /** Stops a process if it runs, starts it again and waits until it is ready. */
  restart(name: string): Promise<void>;
  status(): ProcessStatus[];
  stop(): Promise<void>;
  /** Resolves once the first trace can be seen: the services and what their traces need run. */
  firstTrace: Promise<void>;
  /** Resolves once every process is ready; rejects when a build or a start fails (all is stopped then). */
  ready: Promise<void>;
}

const READY_TIMEOUT_MS = 60_000;
/** Restart delays double from the first to the last; a process that ran this long starts over. */
const BACKOFF_FIRST_MS = 1_000;
const BACKOFF_MAX_MS = 30_000;
const BACKOFF_RESET_AFTER_MS = 60_000;

/** A promise with its resolve and reject at hand (Promise.withResolvers, ES2024). */
function deferred(): { promise: Promise<void>; resolve: () => void; reject: (error: Error) => void } {
  const parts: Partial<{ resolve: () => void; reject: (error: Error) => void }> = {};
  const promise = new Promise<void>((resolve, reject) => Object.assign(parts, { resolve, reject }));
  return { promise, resolve: () => parts.resolve?.(), reject: (error) => parts.reject?.(error) };
}

/** Where one process of the stack is in its life, as supervision sees it. */
interface Supervised {
  process: StackProcess;
  current?: RunningProcess;
  startedAt: number;
  /** Supervision restarts it when it dies; false while stopped on purpose. */
  wanted: boolean;
  state: ProcessStatus['state'];
  restarts: number;
  /** Consecutive quick deaths: the backoff exponent. */
  quickDeaths: number;
  timer?: NodeJS.Timeout;
}

export interface StartOptions {
  /** Progress lines (default: console.log). */
  log?: (line: string) => void;
  /** Which processes run (default: `default`, one collector and single-node backends). */
  topology?: Topology;
  controlToken?: string;
  /** Where data and logs go (default .tracelab/). */
  stateDir?: string;
  /** Start from empty backend storage (tests: no data left over from an earlier run). */
  fresh?: boolean;
  /**
   * Resolve once every process is ready (default: tests, drills and benches need the whole
   * stack); false: as soon as the start is under way (`firstTrace` and `ready` say when).
   */
  waitForAll?: boolean;
  /** Builds the binaries that are missing (default: the binary cache; a test holds one back). */
  builder?: Builder;
}

/**
 * Starts the whole native stack and resolves when every part answers its readiness check (with
 * `waitForAll: false`, once the start is under way).
 */
export async function startStack({
  log = console.log,
  controlToken,
  stateDir: state = stateDir,
  fresh = false,
  topology = 'default',
  waitForAll = true,
  builder = binaryCache,
}: StartOptions = {}): Promise<Stack> {
  const token = controlToken ?? process.env.CONTROL_TOKEN ?? randomBytes(16).toString('hex');
  const data = path.join(state, 'data');
  const logDir = path.join(state, 'logs');
  const statusFile = stackStatusFile(state);
  const processes = startOrder([...backendProcesses(data, statusFile, token, topology, log), ...serviceProcesses(token)]);

  const busy: string[] = [];
  for (const p of processes) for (const port of await busyPorts(p.ports)) busy.push(`${port} (${p.name})`);
  if (busy.length) throw new Error(`ports already in use: ${busy.join(', ')}. Is another tracelab stack running?`);

  // Only after the port check: a second run must not wipe the storage of a stack that is running.
  if (fresh) fs.rmSync(state, { recursive: true, force: true });
  fs.mkdirSync(logDir, { recursive: true });
  fs.writeFileSync(controlTokenFile(state), `${token}\n`, { mode: 0o600 });

  const stack: Stack = { urls: URLS, controlToken: token, logDir, ...supervise(processes, { log, logDir, statusFile, builder }) };
  if (waitForAll) await stack.ready;
  return stack;
}

/**
 * Builds what is missing and starts every process as soon as it can, and keeps them running: a
 * process that dies is started again after a delay that doubles with each quick death.
 */
function supervise(
  processes: StackProcess[],
  { log, logDir, statusFile, builder }: { log: (line: string) => void; logDir: string; statusFile: string; builder: Builder },
): Omit<Stack, 'urls' | 'controlToken' | 'logDir'> {
  const watches = discoveries(processes);
  const supervised = new Map<string, Supervised>(
    processes.map((p) => [p.name, { process: p, startedAt: 0, wanted: true, state: 'waiting', restarts: 0, quickDeaths: 0 }]),
  );
  let stopping = false;
  const entry = (name: string) => {
    const found = supervised.get(name);
    if (!found) throw new Error(`unknown process ${name}; known: ${processes.map((p) => p.name).join(', ')}`);
    return found;
  };

  /**
   * Writes each discovery file from the copies running now (every copy while none is, so the
   * watcher keeps somewhere to queue for), and tells a running watcher to reload.
   */
  const publish = () => {
    for (const d of watches) {
      const ready = [...d.addresses].filter(([name]) => supervised.get(name)?.state === 'running').map(([, address]) => address);
      const content = d.render(ready.length ? ready : [...d.addresses.values()]);
      if (content === d.written) continue;
      fs.mkdirSync(path.dirname(d.file), { recursive: true });
      fs.writeFileSync(d.file, content);
      d.written = content;
      const watcher = supervised.get(d.watcher)?.current;
      if (!watcher) continue;
      log(`  ↻ ${d.watcher} reloads its configuration: ${ready.length ? ready.join(', ') : 'none'} ready`);
      watcher.signal('SIGHUP');
    }
    // During the first start every change may let another process start; later it is only news.
    if (firstStart && !stopping) pump();
    else writeStatus();
  };

  const startOne = async (s: Supervised) => {
    const p = s.process;
    const started = Date.now();
    if (p.dataDir) fs.mkdirSync(p.dataDir, { recursive: true });
    s.state = 'starting';
    writeStatus();
    const running = await startProcess(p.spec, { logFile: path.join(logDir, `${p.name}.log`), readyTimeoutMs: READY_TIMEOUT_MS });
    if (stopping) return void (await running.stop()); // Ctrl-C while it started
    s.current = running;
    s.startedAt = Date.now();
    s.state = 'running';
    void running.exited.then((code) => onExit(s, running, code));
    publish();
    log(`  ✓ ${p.name.padEnd(16)} ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  };

  /** A process ended: unless that was asked for, start it again after a growing delay. */
  const onExit = (s: Supervised, ended: RunningProcess, code: number | null) => {
    if (s.current !== ended) return;
    s.current = undefined;
    if (stopping || !s.wanted) {
      s.state = 'held';
    } else {
      scheduleRestart(s, `exited (${code === null ? 'killed by a signal' : `code ${code}`})`);
    }
    if (!stopping) publish();
  };

  const scheduleRestart = (s: Supervised, why: string) => {
    s.quickDeaths = Date.now() - s.startedAt > BACKOFF_RESET_AFTER_MS ? 0 : s.quickDeaths + 1;
    const delay = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** Math.max(0, s.quickDeaths - 1));
    s.state = 'backoff';
    log(`  ↻ ${s.process.name} ${why}: restarting in ${(delay / 1000).toFixed(0)} s (restart ${s.restarts + 1})`);
    s.timer = setTimeout(() => {
      s.timer = undefined;
      if (stopping || !s.wanted) {
        s.state = 'held';
        return;
      }
      s.restarts++;
      startOne(s).catch((error: unknown) => {
        if (!stopping && s.wanted) scheduleRestart(s, `did not start (${(error as Error).message})`);
      });
    }, delay);
  };

  const holdDown = async (s: Supervised, end: (r: RunningProcess) => Promise<void>) => {
    s.wanted = false;
    clearTimeout(s.timer);
    s.timer = undefined;
    if (s.current) await end(s.current);
    s.state = 'held';
  };

  const stopAll = async () => {
    stopping = true; // first, synchronously: children dying from the same Ctrl-C are not restarted
    for (const s of [...supervised.values()].reverse()) await holdDown(s, (r) => r.stop());
  };

  // Builds: one at a time, in order; the first of `builds` is the one running.
  const builds = buildOrder(processes, (binary) => builder.pendingSeconds(binary)).map((binary) => ({
    binary,
    expectedS: builder.pendingSeconds(binary) ?? 0,
    startedAt: undefined as number | undefined,
  }));
  const isBuilt = (p: StackProcess) => !p.binary || !builds.some((b) => b.binary === p.binary);
  /** Whether a process cannot start before a build ends: its own, or one of what it waits for. */
  const blockedByBuild = (p: StackProcess): boolean =>
    !isBuilt(p) || p.dependsOn.some((d) => waitsFor(p, d) && blockedByBuild(entry(d).process));
  /** A dependency it may start without is waited for only once nothing is left to build for it. */
  const waitsFor = (p: StackProcess, d: string) => !p.startsWithout.includes(d) || !blockedByBuild(entry(d).process);

  const writeStatus = () => {
    const status: StackStatus = {
      builds,
      processes: processes.map((p) => ({
        name: p.name,
        title: p.title,
        state: entry(p.name).state,
        ...(p.binary ? { binary: p.binary } : {}),
      })),
    };
    fs.writeFileSync(`${statusFile}.tmp`, `${JSON.stringify(status)}\n`);
    fs.renameSync(`${statusFile}.tmp`, statusFile); // a reader never sees half a file
  };

  let firstStart = true; // until everything has run once: a failure then stops the stack
  let starting = false;
  const firstTrace = deferred();
  const ready = deferred();
  ready.promise.catch(() => undefined); // a caller that does not wait for it learns of a failure from the log

  const fail = (error: Error) => {
    if (!firstStart) return;
    firstStart = false;
    void stopAll().then(() => ready.reject(error));
  };

  /** Starts the next process that can start (one at a time, in start order), until none can. */
  const pump = () => {
    if (!firstStart || stopping) return;
    for (const p of processes) {
      const s = entry(p.name);
      if (s.state !== 'waiting' && s.state !== 'building') continue;
      s.state = blockedByBuild(p) ? 'building' : 'waiting';
    }
    writeStatus();
    if (processes.filter((p) => p.firstTrace).every((p) => entry(p.name).state === 'running')) firstTrace.resolve();
    if (processes.every((p) => entry(p.name).state === 'running')) {
      firstStart = false;
      ready.resolve();
      return;
    }
    if (starting) return;
    const next = processes.find(
      (p) => entry(p.name).state === 'waiting' && p.dependsOn.every((d) => !waitsFor(p, d) || entry(d).state === 'running'),
    );
    if (!next) return;
    starting = true;
    startOne(entry(next.name)).then(
      () => {
        starting = false;
        pump();
      },
      (error: Error) => fail(error),
    );
  };

  publish();
  if (builds.length) {
    const rest = builds.filter((b) => !processes.some((p) => p.firstTrace && p.binary === b.binary));
    const minutes = (list: typeof builds) => Math.max(1, Math.round(list.reduce((sum, b) => sum + b.expectedS, 0) / 60));
    if (rest.length < builds.length && rest.length)
      log(
        `  A first trace in about ${minutes(builds.slice(0, builds.length - rest.length))} min, once ${builds
          .slice(0, builds.length - rest.length)
          .map((b) => b.binary)
          .join(' and ')} are built; ${rest.map((b) => b.binary).join(', ')} join as they are built (about ${minutes(builds)} min in all).`,
      );
    builds[0]!.startedAt = Date.now();
  }
  builder
    .build(
      builds.map((b) => b.binary),
      (binary) => {
        const done = builds.findIndex((b) => b.binary === binary);
        if (done < 0) return;
        builds.splice(done, 1);
        if (builds[0] && builds[0].startedAt === undefined) builds[0].startedAt = Date.now();
        pump();
      },
    )
    .then(
      () => (builds.length ? fail(new Error(`not built: ${builds.map((b) => b.binary).join(', ')}`)) : undefined),
      (error: Error) => fail(error),
    );
  pump();

  return {
    firstTrace: firstTrace.promise,
    ready: ready.promise,
    async kill(name, { signal = 'SIGKILL', supervise = false } = {}) {
      const s = entry(name);
      const r = s.current;
      if (!r) throw new Error(`${name} is not running`);
      if (supervise) return void (await r.kill(signal));
      await holdDown(s, (running) => running.kill(signal));
    },
    async restart(name) {
      const s = entry(name);
      if (s.state === 'building') throw new Error(`${name} is still being built`);
      await holdDown(s, (r) => r.stop());
      s.wanted = true;
      await startOne(s);
    },
    status: () =>
      [...supervised.values()].map((s) => ({
        name: s.process.name,
        state: s.state,
        ...(s.current ? { pid: s.current.pid } : {}),
        ports: s.process.ports,
        restarts: s.restarts,
      })),
    stop: stopAll,
  };
}
