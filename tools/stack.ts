// The native stack, no Docker: builds or locates the backend binaries, starts the backends, waits
// until each is ready, starts the three services, and stops everything on Ctrl-C or SIGTERM.
// Everything binds to 127.0.0.1; state lives in .tracelab/ (removed by `npm run clean`).
//
//   node dist/tools/stack.js up      (npm start)
//   node dist/tools/stack.js clean   (npm run clean)
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { type BackendName, ensureBackends, findGrafana } from './backends';
import { distDir, readEnvFile, repoRoot, stateDir } from './paths';
import { SERVICES, serviceCommand } from './services';

export const URLS = {
  gateway: 'http://127.0.0.1:8080',
  modelInference: 'http://127.0.0.1:8081',
  collectorHealth: 'http://127.0.0.1:13133',
  jaeger: 'http://127.0.0.1:16686',
  prometheus: 'http://127.0.0.1:9090',
  victorialogs: 'http://127.0.0.1:9428',
  alertmanager: 'http://127.0.0.1:9093',
  alertRecorder: 'http://127.0.0.1:9099',
  grafana: 'http://127.0.0.1:3000',
  console: 'http://127.0.0.1:8090',
} as const;

interface ProcessSpec {
  name: string;
  command: string;
  args: string[];
  env?: Record<string, string>;
  /** A URL that answers 2xx once the process is ready. */
  readyUrl: string;
  /** Ports it listens on (checked free before start). */
  ports: number[];
  /** Its storage folder, created just before it starts. */
  dataDir?: string;
}

interface Running {
  spec: ProcessSpec;
  child: ResultPromise;
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
const STOP_GRACE_MS = 5_000;

const config = (...parts: string[]) => path.join(repoRoot, ...parts);

function backendSpecs(bin: Record<BackendName, string>, data: string): ProcessSpec[] {
  const dir = (name: string) => path.join(data, name);
  return [
    {
      name: 'victorialogs',
      command: bin.victorialogs,
      args: ['-envflag.enable', `-storageDataPath=${dir('victorialogs')}`, '-httpListenAddr=127.0.0.1:9428'],
      env: readEnvFile(config('victorialogs', 'victorialogs.env')),
      readyUrl: `${URLS.victorialogs}/health`,
      ports: [9428],
      dataDir: dir('victorialogs'),
    },
    {
      name: 'prometheus',
      command: bin.prometheus,
      args: [
        `--config.file=${config('prometheus', 'prometheus.yml')}`,
        `--storage.tsdb.path=${dir('prometheus')}`,
        '--web.listen-address=127.0.0.1:9090',
        '--web.enable-otlp-receiver',
        '--enable-feature=exemplar-storage',
      ],
      readyUrl: `${URLS.prometheus}/-/ready`,
      ports: [9090],
      dataDir: dir('prometheus'),
    },
    {
      name: 'alertmanager',
      command: bin.alertmanager,
      args: [
        `--config.file=${config('alertmanager', 'alertmanager.yml')}`,
        `--storage.path=${dir('alertmanager')}`,
        '--web.listen-address=127.0.0.1:9093',
        '--cluster.listen-address=', // a single instance: no gossip port
      ],
      readyUrl: `${URLS.alertmanager}/-/ready`,
      ports: [9093],
      dataDir: dir('alertmanager'),
    },
    {
      name: 'alert-recorder',
      command: process.execPath,
      args: [path.join(distDir, 'tools', 'alert-recorder.js')],
      readyUrl: `${URLS.alertRecorder}/alerts`,
      ports: [9099],
    },
    {
      name: 'jaeger',
      command: bin.jaeger,
      args: [`--config=${config('jaeger', 'config.yaml')}`],
      readyUrl: 'http://127.0.0.1:13134/status',
      ports: [16686, 16685, 4327, 4328, 13134, 8887],
    },
    {
      name: 'collector',
      command: bin.collector,
      args: [`--config=${config('collector', 'config.yaml')}`],
      readyUrl: URLS.collectorHealth,
      ports: [4317, 4318, 13133, 8888],
    },
  ];
}

function serviceSpecs(controlToken: string): ProcessSpec[] {
  return SERVICES.map(
    (service): ProcessSpec => ({
      name: service.name,
      ...serviceCommand(service.name),
      env: service.name === 'model-inference' ? { CONTROL_TOKEN: controlToken } : ({} as Record<string, string>),
      readyUrl: `http://127.0.0.1:${service.port}/healthz`,
      ports: [service.port, service.prometheusPort],
    }),
  );
}

function grafanaSpec(binary: string, data: string): ProcessSpec {
  return {
    name: 'grafana',
    command: binary,
    args: ['server', `--homepath=${process.env.GF_PATHS_HOME ?? '/usr/share/grafana'}`],
    env: {
      GF_PATHS_PROVISIONING: config('grafana', 'provisioning'),
      GF_PATHS_DATA: path.join(data, 'grafana'),
      GF_SERVER_HTTP_ADDR: '127.0.0.1',
      GRAFANA_DASHBOARDS_DIR: config('grafana', 'dashboards'),
      PROMETHEUS_URL: URLS.prometheus,
      JAEGER_URL: URLS.jaeger,
      VICTORIALOGS_URL: URLS.victorialogs,
    },
    readyUrl: `${URLS.grafana}/api/health`,
    ports: [3000],
  };
}

function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function waitReady(spec: ProcessSpec, child: ResultPromise, logDir: string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let exited = false;
  void child.finally(() => {
    exited = true;
  });
  for (;;) {
    if (exited) throw new Error(`${spec.name} exited during start-up: see its log in ${logDir}`);
    try {
      if ((await fetch(spec.readyUrl, { signal: AbortSignal.timeout(1000) })).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${spec.name} not ready at ${spec.readyUrl} after ${READY_TIMEOUT_MS / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

function launch(spec: ProcessSpec, logDir: string): ResultPromise {
  const log = { file: path.join(logDir, `${spec.name}.log`), append: true } as const;
  return execa(spec.command, spec.args, {
    cwd: repoRoot,
    env: spec.env ?? {},
    extendEnv: true,
    stdin: 'ignore',
    stdout: log,
    stderr: log,
    reject: false,
    cleanup: true, // killed if this process exits, whatever the reason
    forceKillAfterDelay: STOP_GRACE_MS,
  });
}

async function stopProcess(running: Running): Promise<void> {
  running.child.kill('SIGTERM'); // escalates to SIGKILL after STOP_GRACE_MS
  await running.child;
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
  const bin = await ensureBackends(['collector', 'jaeger', 'prometheus', 'victorialogs', 'alertmanager']);
  const data = path.join(state, 'data');
  const logDir = path.join(state, 'logs');
  const specs = [...backendSpecs(bin, data), ...serviceSpecs(token)];
  const grafana = findGrafana();
  if (grafana) specs.splice(specs.length - 3, 0, grafanaSpec(grafana, data));
  // The web console last: it reads every other part, and holds the control token for the lab.
  specs.push({
    name: 'console',
    command: process.execPath,
    args: [path.join(distDir, 'console', 'server', 'server.js')],
    env: { CONTROL_TOKEN: token },
    readyUrl: `${URLS.console}/healthz`,
    ports: [8090],
  });

  const busy: string[] = [];
  for (const spec of specs) for (const port of spec.ports) if (await portInUse(port)) busy.push(`${port} (${spec.name})`);
  if (busy.length) throw new Error(`ports already in use: ${busy.join(', ')}. Is another tracelab stack running?`);

  // Only after the port check: a second run must not wipe the storage of a stack that is running.
  if (fresh) fs.rmSync(state, { recursive: true, force: true });
  fs.mkdirSync(logDir, { recursive: true });

  const running = new Map<string, Running>();
  const stopAll = async () => {
    for (const r of [...running.values()].reverse()) await stopProcess(r);
    running.clear();
  };
  const startOne = async (spec: ProcessSpec) => {
    const started = Date.now();
    if (spec.dataDir) fs.mkdirSync(spec.dataDir, { recursive: true });
    const child = launch(spec, logDir);
    running.set(spec.name, { spec, child });
    await waitReady(spec, child, logDir);
    log(`  ✓ ${spec.name.padEnd(16)} ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  };

  try {
    for (const spec of specs) await startOne(spec);
  } catch (error) {
    await stopAll();
    throw error;
  }
  if (!grafana) log('  - grafana          not found on PATH: dashboards need docker compose (see README)');

  return {
    urls: URLS,
    controlToken: token,
    logDir,
    async kill(name) {
      const r = running.get(name);
      if (!r) throw new Error(`${name} is not running`);
      r.child.kill('SIGKILL');
      await r.child;
      running.delete(name);
    },
    async restart(name) {
      const spec = specs.find((s) => s.name === name);
      if (!spec) throw new Error(`unknown process ${name}`);
      const r = running.get(name);
      if (r) await stopProcess(r);
      await startOne(spec);
    },
    stop: stopAll,
  };
}

function summary(stack: Stack): string {
  return `
tracelab is running (native mode, everything on 127.0.0.1). Logs: ${stack.logDir}

  console        ${URLS.console}         start here: traces, service map, signals, lab
  gateway        ${URLS.gateway}         POST /v1/predict, GET /random
  jaeger API     ${URLS.jaeger}/api/services   (no web UI in a native build: use docker compose for the UI)
  prometheus     ${URLS.prometheus}        /api/v1/query?query=up  (API only natively)
  victorialogs   ${URLS.victorialogs}        /select/vmui (log UI), /select/logsql/query
  alertmanager   ${URLS.alertmanager}        alerts delivered: ${URLS.alertRecorder}/alerts
  control token  ${stack.controlToken}   (model-inference PUT /v1/control)

Try it:
  curl -s -i -X POST ${URLS.gateway}/v1/predict -H 'content-type: application/json' \\
    -d '{"customer_id":"c-42","features":{"tenure_months":3,"monthly_spend":120,"support_tickets":2,"plan":"basic"}}'
  curl -s ${URLS.jaeger}/api/traces/<trace_id from the answer>

Make the model fail and watch the fallback:
  curl -s -X PUT ${URLS.modelInference}/v1/control -H "authorization: Bearer ${stack.controlToken}" \\
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
