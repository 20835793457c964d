// The native stack, no Docker: what runs comes from the backend registry (tools/backends/) and
// the service registry (services/registry.ts) through plan.ts; this file only supervises: check
// ports, start in dependency order, wait until each is ready, restart a process that dies (with
// backoff), stop everything on Ctrl-C or SIGTERM. Everything binds to 127.0.0.1; state lives in
// .tracelab/ (removed by `npm run clean`). The CLI is tools/cli/stack.ts.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { URLS } from '../../local/addresses';
import { controlTokenFile } from '../../local/control-token';
import { stateDir } from '../../local/paths';
import { startOrder, type Topology } from '../backends/index';
import { backendProcesses, discoveries, type StackProcess, serviceProcesses } from './plan';
import { busyPorts, type RunningProcess, startProcess } from './process';

export interface ProcessStatus {
  name: string;
  /** running; backoff (died, restart pending); held (stopped on purpose); starting. */
  state: 'starting' | 'running' | 'backoff' | 'held';
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
}

const READY_TIMEOUT_MS = 60_000;
/** Restart delays double from the first to the last; a process that ran this long starts over. */
const BACKOFF_FIRST_MS = 1_000;
const BACKOFF_MAX_MS = 30_000;
const BACKOFF_RESET_AFTER_MS = 60_000;

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
}

/** Starts the whole native stack and resolves when every part answers its readiness check. */
export async function startStack({
  log = console.log,
  controlToken,
  stateDir: state = stateDir,
  fresh = false,
  topology = 'default',
}: StartOptions = {}): Promise<Stack> {
  const token = controlToken ?? process.env.CONTROL_TOKEN ?? randomBytes(16).toString('hex');
  const data = path.join(state, 'data');
  const logDir = path.join(state, 'logs');
  const processes = startOrder([...(await backendProcesses(data, token, topology, log)), ...serviceProcesses(token)]);

  const busy: string[] = [];
  for (const p of processes) for (const port of await busyPorts(p.ports)) busy.push(`${port} (${p.name})`);
  if (busy.length) throw new Error(`ports already in use: ${busy.join(', ')}. Is another tracelab stack running?`);

  // Only after the port check: a second run must not wipe the storage of a stack that is running.
  if (fresh) fs.rmSync(state, { recursive: true, force: true });
  fs.mkdirSync(logDir, { recursive: true });
  fs.writeFileSync(controlTokenFile(state), `${token}\n`, { mode: 0o600 });

  return { urls: URLS, controlToken: token, logDir, ...(await supervise(processes, log, logDir)) };
}

/**
 * Starts every process in order and keeps them running: a process that dies is started again
 * after a delay that doubles with each quick death. Resolves once all are ready.
 */
async function supervise(
  processes: StackProcess[],
  log: (line: string) => void,
  logDir: string,
): Promise<Pick<Stack, 'kill' | 'restart' | 'status' | 'stop'>> {
  const watches = discoveries(processes);
  const supervised = new Map<string, Supervised>(
    processes.map((p) => [p.name, { process: p, startedAt: 0, wanted: true, state: 'held', restarts: 0, quickDeaths: 0 }]),
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
  };

  const startOne = async (s: Supervised) => {
    const p = s.process;
    const started = Date.now();
    if (p.dataDir) fs.mkdirSync(p.dataDir, { recursive: true });
    s.state = 'starting';
    const running = await startProcess(p.spec, { logFile: path.join(logDir, `${p.name}.log`), readyTimeoutMs: READY_TIMEOUT_MS });
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

  publish();
  try {
    for (const p of processes) await startOne(entry(p.name));
  } catch (error) {
    await stopAll();
    throw error;
  }

  return {
    async kill(name, { signal = 'SIGKILL', supervise = false } = {}) {
      const s = entry(name);
      const r = s.current;
      if (!r) throw new Error(`${name} is not running`);
      if (supervise) return void (await r.kill(signal));
      await holdDown(s, (running) => running.kill(signal));
    },
    async restart(name) {
      const s = entry(name);
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
