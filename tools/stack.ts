// The native stack, no Docker: what runs comes from the backend registry (tools/backends/) and
// the service registry (services/registry.ts); this file only supervises: check ports, start in
// dependency order, wait until each is ready, restart a process that dies (with backoff), stop
// everything on Ctrl-C or SIGTERM. Everything binds to 127.0.0.1; state lives in .tracelab/
// (removed by `npm run clean`). A running stack answers on a unix socket in that folder (0600:
// only its owner may talk to it), which `status` and `restart` use.
//
//   node dist/tools/stack.js up               (npm start)
//   node dist/tools/stack.js status           (npm run stack -- status)
//   node dist/tools/stack.js restart <name>   (npm run stack -- restart <name>)
//   node dist/tools/stack.js clean            (npm run clean)
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { SERVICE_NAMES, SERVICE_REGISTRY, type ServiceName } from '../services/registry';
import { ensureBackend, ensureBackends, findOnPath } from './backends';
import {
  BACKENDS,
  type BackendRecipe,
  backend,
  instanceNames,
  instancePort,
  type Layout,
  runsIn,
  startOrder,
  TOPOLOGIES,
  type Topology,
} from './backends/index';
import { distDir, repoRoot, stateDir } from './paths';
import { busyPorts, type ProcessSpec, type RunningProcess, startProcess } from './process';
import { serviceProcessSpec } from './services';

const backendUrl = (name: string, port = 'http') => `http://127.0.0.1:${backend(name).ports[port]}`;

export const URLS = {
  gateway: `http://127.0.0.1:${SERVICE_REGISTRY.gateway.port}`,
  modelInference: `http://127.0.0.1:${SERVICE_REGISTRY['model-inference'].port}`,
  fallbackRules: `http://127.0.0.1:${SERVICE_REGISTRY['fallback-rules'].port}`,
  collectorHealth: backendUrl('collector'),
  jaeger: backendUrl('jaeger', 'query'),
  prometheus: backendUrl('prometheus'),
  victorialogs: backendUrl('victorialogs'),
  alertmanager: backendUrl('alertmanager'),
  alertRecorder: backendUrl('alert-recorder'),
  grafana: backendUrl('grafana'),
  console: backendUrl('console'),
} as const;

/** The file where `npm start` leaves the control token for the lab CLI and the console (0600). */
export const controlTokenFile = (state: string = stateDir) => path.join(state, 'control-token');

/** One process of the native stack. */
interface StackProcess {
  name: string;
  /** The backend it is (a copy of), for backends. */
  backend?: string;
  dependsOn: readonly string[];
  ports: number[];
  dataDir?: string;
  spec: ProcessSpec;
}

/** The socket a running stack answers `status` and `restart` on. */
export const controlSocketFile = (state: string = stateDir) => path.join(state, 'control.sock');

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

export function nativeLayout(name: string, data: string, controlToken: string, topology: Topology = 'default', replica = 1): Layout {
  return {
    mode: 'native',
    topology,
    replica,
    listenHost: '127.0.0.1',
    repoPath: (...parts) => path.join(repoRoot, ...parts),
    address: (_target, port) => `127.0.0.1:${port}`,
    dataDir: path.join(data, name),
    controlToken,
  };
}

/** The command that runs a backend natively, or undefined when it is not available here. */
async function nativeCommand(recipe: BackendRecipe): Promise<{ command: string; prefix: string[] } | undefined> {
  if (!recipe.native) return { command: await ensureBackend(recipe.name), prefix: [] };
  if ('binary' in recipe.native) return { command: await ensureBackend(recipe.native.binary), prefix: [] };
  if ('node' in recipe.native) return { command: process.execPath, prefix: [path.join(distDir, 'tools', recipe.native.node)] };
  const found = findOnPath(recipe.native.path);
  return found ? { command: found, prefix: [] } : undefined;
}

async function backendProcesses(
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
interface Discovery {
  watcher: string;
  file: string;
  render(addresses: string[]): string;
  /** Address of each copy watched, by process name. */
  addresses: Map<string, string>;
  written?: string;
}

function discoveries(processes: StackProcess[]): Discovery[] {
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

function serviceProcesses(controlToken: string): StackProcess[] {
  return SERVICE_NAMES.map((name: ServiceName) => ({
    name,
    dependsOn: ['collector', ...Object.values(SERVICE_REGISTRY[name].calls as Record<string, string>)],
    ports: [SERVICE_REGISTRY[name].port, SERVICE_REGISTRY[name].metricsPort],
    spec: serviceProcessSpec(name, { CONTROL_TOKEN: controlToken }),
  }));
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
  const watches = discoveries(processes);

  const busy: string[] = [];
  for (const p of processes) for (const port of await busyPorts(p.ports)) busy.push(`${port} (${p.name})`);
  if (busy.length) throw new Error(`ports already in use: ${busy.join(', ')}. Is another tracelab stack running?`);

  // Only after the port check: a second run must not wipe the storage of a stack that is running.
  if (fresh) fs.rmSync(state, { recursive: true, force: true });
  fs.mkdirSync(logDir, { recursive: true });
  fs.writeFileSync(controlTokenFile(state), `${token}\n`, { mode: 0o600 });

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
    urls: URLS,
    controlToken: token,
    logDir,
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

/** Serves `status` and `restart` for a running stack on a unix socket only its owner can open. */
export async function serveControl(stack: Stack, socketFile: string): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const reply = (status: number, body: unknown) =>
      res.writeHead(status, { 'content-type': 'application/json' }).end(`${JSON.stringify(body)}\n`);
    const restart = /^\/restart\/([\w-]+)$/.exec(req.url ?? '');
    if (req.method === 'GET' && req.url === '/status') reply(200, stack.status());
    else if (req.method === 'POST' && restart)
      stack.restart(restart[1]!).then(
        () =>
          reply(
            200,
            stack.status().find((p) => p.name === restart[1]),
          ),
        (error: unknown) => reply(400, { error: (error as Error).message }),
      );
    else reply(404, { error: 'GET /status or POST /restart/<name>' });
  });
  fs.rmSync(socketFile, { force: true }); // left by a stack that was killed (the port check ruled out a live one)
  const previous = process.umask(0o177); // the socket is created 0600 (no window with wider rights)
  try {
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(socketFile, resolve));
  } finally {
    process.umask(previous);
  }
  fs.chmodSync(socketFile, 0o600);
  return server;
}

/** One request to a running stack's control socket. */
function askStack(method: 'GET' | 'POST', urlPath: string): Promise<unknown> {
  const socketPath = controlSocketFile();
  if (!fs.existsSync(socketPath)) throw new Error(`no running stack (${socketPath} is missing): start it with npm start`);
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath, method, path: urlPath }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      res.on('end', () => {
        const parsed = JSON.parse(body) as { error?: string };
        if (res.statusCode !== 200) reject(new Error(parsed.error ?? `status ${res.statusCode}`));
        else resolve(parsed);
      });
    });
    req.on('error', (error) => reject(new Error(`the stack does not answer on ${socketPath}: ${error.message}`)));
    req.end();
  });
}

function statusTable(rows: ProcessStatus[]): string {
  const lines = [['process', 'state', 'pid', 'port(s)', 'restarts']];
  for (const r of rows) lines.push([r.name, r.state, r.pid ? String(r.pid) : '-', r.ports.join(','), String(r.restarts)]);
  const widths = lines[0]!.map((_, i) => Math.max(...lines.map((l) => l[i]!.length)));
  return lines
    .map((l) =>
      l
        .map((cell, i) => cell.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** What the scaled topology adds, for the summary. */
function scaledSummary(): string {
  const gateways = backend('collector-gateway');
  const storage = backend('victorialogs-storage');
  const copies = (recipe: BackendRecipe, port: string) =>
    instanceNames(recipe)
      .map((name, i) => `${name} :${instancePort(recipe, port, { mode: 'native', replica: i + 1 })}`)
      .join(', ');
  return `
Scaled topology (docs/scaling.md): the collector on :4317/:4318 is the agent; it routes each trace
id to a gateway collector (${copies(gateways, 'otlpGrpc')}; their metrics on
${copies(gateways, 'metrics')}), which computes the span metrics and tail-samples. VictoriaLogs on
:9428 is the cluster's front end over ${copies(storage, 'http')}.
`;
}

function summary(stack: Stack, topology: Topology): string {
  return `
tracelab is running (native mode, everything on 127.0.0.1). Logs: ${stack.logDir}
${topology === 'scaled' ? scaledSummary() : ''}
  console        ${URLS.console}         start here: traces, service map, signals, fault lab
  gateway        ${URLS.gateway}         POST /v1/predict, GET /random
  jaeger API     ${URLS.jaeger}/api/services   (no web UI in a native build: use docker compose for the UI)
  prometheus     ${URLS.prometheus}        /api/v1/query?query=up  (API only natively)
  victorialogs   ${URLS.victorialogs}        /select/vmui (log UI), /select/logsql/query
  alertmanager   ${URLS.alertmanager}        alerts delivered: ${URLS.alertRecorder}/alerts
  control token  in ${controlTokenFile()}   (PUT /v1/control on each service)

Try it:
  curl -s -i -X POST ${URLS.gateway}/v1/predict -H 'content-type: application/json' \\
    -d '{"customer_id":"c-42","features":{"tenure_months":3,"monthly_spend":120,"support_tickets":2,"plan":"basic"}}'
  curl -s ${URLS.jaeger}/api/traces/<trace_id from the answer>

Make the model fail and watch the fallback:
  curl -s -X PUT ${URLS.modelInference}/v1/control -H "authorization: Bearer $(cat ${controlTokenFile()})" \\
    -H 'content-type: application/json' -d '{"error_rate":1}'

Supervision restarts a process that dies. npm run stack -- status   shows them all;
npm run stack -- restart <name>   restarts one. Ctrl-C stops everything.`;
}

/** `--topology <name>` from the command line (default: default). */
function topologyArgument(args: string[]): Topology {
  const at = args.indexOf('--topology');
  if (at === -1) return 'default';
  const value = args[at + 1];
  if (!TOPOLOGIES.includes(value as Topology))
    throw new Error(`--topology must be one of ${TOPOLOGIES.join(', ')} (got ${value ?? 'nothing'})`);
  return value as Topology;
}

async function main(command: string | undefined): Promise<void> {
  if (command === 'clean') {
    fs.rmSync(stateDir, { recursive: true, force: true });
    console.log(`removed ${stateDir}`);
    return;
  }
  if (command === 'status') return void console.log(statusTable((await askStack('GET', '/status')) as ProcessStatus[]));
  if (command === 'restart') {
    const name = process.argv[3];
    if (!name) throw new Error('usage: stack.js restart <name>');
    console.log(statusTable([(await askStack('POST', `/restart/${name}`)) as ProcessStatus]));
    return;
  }
  if (command !== 'up') throw new Error(`usage: stack.js up [--topology ${TOPOLOGIES.join('|')}] | status | restart <name> | clean`);
  const topology = topologyArgument(process.argv.slice(3));
  console.log(`Starting tracelab${topology === 'default' ? '' : ` (${topology} topology)`}…`);
  const stack = await startStack({ topology });
  const control = await serveControl(stack, controlSocketFile());
  console.log(summary(stack, topology));
  const shutdown = async (signal: string) => {
    console.log(`\n${signal}: stopping…`);
    control.close();
    await stack.stop();
    console.log('stopped.');
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}

if (require.main === module) {
  main(process.argv[2]).catch((error: unknown) => {
    console.error(`[stack] ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
