// The native stack, no Docker: what runs comes from the backend registry (tools/backends/) and
// the service registry (services/registry.ts); this file only supervises: check ports, start in
// dependency order, wait until each is ready, stop everything on Ctrl-C or SIGTERM.
// Everything binds to 127.0.0.1; state lives in .tracelab/ (removed by `npm run clean`).
//
//   node dist/tools/stack.js up      (npm start)
//   node dist/tools/stack.js clean   (npm run clean)
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { SERVICE_NAMES, SERVICE_REGISTRY, type ServiceName } from '../services/registry';
import { ensureBackend, findOnPath } from './backends';
import { BACKENDS, type BackendRecipe, backend, type Layout, startOrder } from './backends/index';
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
  dependsOn: readonly string[];
  ports: number[];
  dataDir?: string;
  spec: ProcessSpec;
}

export interface Stack {
  urls: typeof URLS;
  controlToken: string;
  logDir: string;
  /** Stops one process (SIGKILL: a crash, as a fault-injection lesson wants). */
  kill(name: string): Promise<void>;
  /** Starts a stopped process again and waits until it is ready. */
  restart(name: string): Promise<void>;
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 60_000;

export function nativeLayout(name: string, data: string, controlToken: string): Layout {
  return {
    mode: 'native',
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
  if ('node' in recipe.native) return { command: process.execPath, prefix: [path.join(distDir, 'tools', recipe.native.node)] };
  const found = findOnPath(recipe.native.path);
  return found ? { command: found, prefix: [] } : undefined;
}

async function backendProcesses(data: string, controlToken: string, log: (line: string) => void): Promise<StackProcess[]> {
  const processes: StackProcess[] = [];
  for (const recipe of BACKENDS) {
    const command = await nativeCommand(recipe);
    if (!command) {
      log(`  - ${recipe.name.padEnd(16)} not found on PATH: ${recipe.summary}`);
      continue;
    }
    const layout = nativeLayout(recipe.name, data, controlToken);
    processes.push({
      name: recipe.name,
      dependsOn: recipe.dependsOn,
      ports: Object.values(recipe.ports),
      ...(recipe.stateful ? { dataDir: layout.dataDir } : {}),
      spec: {
        name: recipe.name,
        command: command.command,
        args: [...command.prefix, ...recipe.args(layout)],
        env: recipe.env?.(layout) ?? {},
        cwd: repoRoot,
        readyUrl: `http://127.0.0.1:${recipe.ports[recipe.ready.port]}${recipe.ready.path}`,
      },
    });
  }
  // A backend that is not available (Grafana) is nobody's hard dependency at run time.
  const present = new Set(processes.map((p) => p.name));
  return processes.map((p) => ({ ...p, dependsOn: p.dependsOn.filter((d) => present.has(d)) }));
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
}: StartOptions = {}): Promise<Stack> {
  const token = controlToken ?? process.env.CONTROL_TOKEN ?? randomBytes(16).toString('hex');
  const data = path.join(state, 'data');
  const logDir = path.join(state, 'logs');
  const processes = startOrder([...(await backendProcesses(data, token, log)), ...serviceProcesses(token)]);

  const busy: string[] = [];
  for (const p of processes) for (const port of await busyPorts(p.ports)) busy.push(`${port} (${p.name})`);
  if (busy.length) throw new Error(`ports already in use: ${busy.join(', ')}. Is another tracelab stack running?`);

  // Only after the port check: a second run must not wipe the storage of a stack that is running.
  if (fresh) fs.rmSync(state, { recursive: true, force: true });
  fs.mkdirSync(logDir, { recursive: true });
  fs.writeFileSync(controlTokenFile(state), `${token}\n`, { mode: 0o600 });

  const running = new Map<string, RunningProcess>();
  const stopAll = async () => {
    for (const r of [...running.values()].reverse()) await r.stop();
    running.clear();
  };
  const startOne = async (p: StackProcess) => {
    const started = Date.now();
    if (p.dataDir) fs.mkdirSync(p.dataDir, { recursive: true });
    running.set(p.name, await startProcess(p.spec, { logFile: path.join(logDir, `${p.name}.log`), readyTimeoutMs: READY_TIMEOUT_MS }));
    log(`  ✓ ${p.name.padEnd(16)} ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  };

  try {
    for (const p of processes) await startOne(p);
  } catch (error) {
    await stopAll();
    throw error;
  }

  return {
    urls: URLS,
    controlToken: token,
    logDir,
    async kill(name) {
      const r = running.get(name);
      if (!r) throw new Error(`${name} is not running`);
      await r.kill('SIGKILL');
      running.delete(name);
    },
    async restart(name) {
      const p = processes.find((candidate) => candidate.name === name);
      if (!p) throw new Error(`unknown process ${name}`);
      await running.get(name)?.stop();
      running.delete(name);
      await startOne(p);
    },
    stop: stopAll,
  };
}

function summary(stack: Stack): string {
  return `
tracelab is running (native mode, everything on 127.0.0.1). Logs: ${stack.logDir}

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

Ctrl-C stops everything.`;
}

async function main(command: string | undefined): Promise<void> {
  if (command === 'clean') {
    fs.rmSync(stateDir, { recursive: true, force: true });
    console.log(`removed ${stateDir}`);
    return;
  }
  if (command !== 'up') throw new Error('usage: stack.js up | clean');
  console.log('Starting tracelab…');
  const stack = await startStack();
  console.log(summary(stack));
  const shutdown = async (signal: string) => {
    console.log(`\n${signal}: stopping…`);
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
