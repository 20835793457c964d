// One measured run of the services benchmark: the three services started in a mode beside the
// OTLP sink, a warm-up and a measured window of load from autocannon (in its own process), then
// CPU per request, RSS, exported bytes and the latency of requests sent one at a time.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { repoRoot } from '../../../local/paths';
import { BACKEND_PORTS } from '../../../local/ports';
import { SERVICE_NAMES, type ServiceName } from '../../../services/registry';
import { ensureBackend } from '../../backends/cache';
import { type RunningProcess, startProcess } from '../../runner/process';
import { servicePorts, serviceProcessSpec } from '../../runner/services';
import { processCpuSeconds, sampleRss } from '../proc';
import type { Sink } from '../sink';
import { percentile } from '../stats';
import type { Mode } from './modes';
import type { ServicesBenchOptions } from './options';
import { cpuByOwner, monotonicUs, profileDir, profileFile } from './profile';

export const PORT_OFFSET = 20_000; // gateway on 28080 etc.: clear of a running stack
const BROKER_PORTS = { client: BACKEND_PORTS.nats.client + PORT_OFFSET, http: BACKEND_PORTS.nats.http + PORT_OFFSET };
const AUTOCANNON = path.join(repoRoot, 'node_modules', 'autocannon', 'autocannon.js');
export const BODY = JSON.stringify({
  customer_id: 'bench',
  features: { tenure_months: 12, monthly_spend: 60, support_tickets: 1, plan: 'pro' },
});

const gatewayUrl = `http://127.0.0.1:${servicePorts('gateway', PORT_OFFSET).http}/v1/predict`;

/** The services' /metrics endpoints, which the sink scrapes. */
export const scrapeTargets = () => SERVICE_NAMES.map((name) => `http://127.0.0.1:${servicePorts(name, PORT_OFFSET).metrics}/metrics`);

async function startServices(
  options: ServicesBenchOptions,
  mode: Mode,
  sink: Sink,
  scenarioEnv: Record<string, string>,
): Promise<RunningProcess[]> {
  const grpc = mode.env.OTEL_EXPORTER_OTLP_PROTOCOL === 'grpc';
  const profileArgs = options.profile ? ['--cpu-prof', `--cpu-prof-dir=${profileDir(mode)}`] : [];
  const env = {
    OTEL_EXPORTER_OTLP_ENDPOINT: grpc ? sink.grpcUrl : sink.httpUrl,
    // No prediction events unless the mode runs its own broker; never a running stack's broker.
    PREDICTION_EVENTS: 'off',
    NATS_URL: `nats://127.0.0.1:${BROKER_PORTS.client}`,
    // Measure the telemetry, not the simulated model.
    MODEL_LATENCY_MEDIAN_MS: '0',
    MODEL_LATENCY_P99_MS: '0',
    MODEL_SEED: '1',
    // On a busy machine a model call can exceed the 250 ms budget and the gateway falls back:
    // the model-path runs must all take the model path so that every mode does the same work.
    MODEL_TIMEOUT_MS: '10000',
    ...scenarioEnv,
    ...mode.env,
  };
  const processes: RunningProcess[] = [];
  try {
    if (mode.broker) processes.push(await startBroker());
    for (const name of SERVICE_NAMES) {
      // Pure mode: the same server.js without `--require instrumentation.js`. The access log is
      // written as in production, to /dev/null.
      const spec = serviceProcessSpec(name, env, { portOffset: PORT_OFFSET, instrumented: mode.sdk });
      processes.push(await startProcess({ ...spec, args: [...profileArgs, ...spec.args] }, { readyTimeoutMs: 30_000 }));
    }
  } catch (error) {
    await stopServices(processes);
    throw error;
  }
  return processes;
}

/** The stack's NATS build on offset ports, its store in a fresh folder (removed when it stops). */
async function startBroker(): Promise<RunningProcess> {
  const store = fs.mkdtempSync(path.join(os.tmpdir(), 'tracelab-bench-nats-'));
  const broker = await startProcess(
    {
      name: 'nats',
      command: await ensureBackend('nats-server'),
      args: [
        '--addr=127.0.0.1',
        `--port=${BROKER_PORTS.client}`,
        `--http_port=${BROKER_PORTS.http}`,
        '--jetstream',
        `--store_dir=${store}`,
      ],
      readyUrl: `http://127.0.0.1:${BROKER_PORTS.http}/healthz?js-enabled-only=true`,
      ports: [BROKER_PORTS.client, BROKER_PORTS.http],
    },
    { readyTimeoutMs: 20_000 },
  );
  return {
    ...broker,
    async stop() {
      await broker.stop();
      fs.rmSync(store, { recursive: true, force: true });
    },
  };
}

async function stopServices(processes: RunningProcess[]): Promise<void> {
  await Promise.all(processes.map((p) => p.stop()));
}

export interface Load {
  requestsPerSecond: number;
  requests: number;
  p50: number;
  p99: number;
  meanMs: number;
  failures: number;
}

/** autocannon in its own process, POSTing the prediction body; its JSON summary. */
export async function load(url: string, seconds: number, connections: number, rate?: number): Promise<Load> {
  const args = [
    ...(rate ? ['-R', String(rate)] : []),
    '-c',
    String(connections),
    '-d',
    String(seconds),
    '-m',
    'POST',
    '-H',
    'content-type=application/json',
    '-b',
    BODY,
    '-j',
    '-n',
    url,
  ];
  const { stdout, exitCode, stderr } = await execa(process.execPath, [AUTOCANNON, ...args], { reject: false });
  if (exitCode !== 0) throw new Error(`autocannon failed (${exitCode}): ${stderr}`);
  const r = JSON.parse(stdout) as {
    requests: { average: number };
    latency: { p50: number; p99: number; mean: number };
    '2xx': number;
    non2xx: number;
    errors: number;
    timeouts: number;
  };
  return {
    requestsPerSecond: r.requests.average,
    requests: r['2xx'] + r.non2xx,
    p50: r.latency.p50,
    p99: r.latency.p99,
    meanMs: r.latency.mean,
    failures: r.non2xx + r.errors + r.timeouts,
  };
}

/**
 * What one request costs in latency when nothing queues: requests one after another from this
 * process. Under the saturating load a request's p50 is mostly its wait in the queue
 * (connections ÷ throughput, Little's law), which is the throughput ratio again.
 */
async function unqueuedLatency(url: string, requests = 300): Promise<{ p50: number; p99: number }> {
  const ms: number[] = [];
  for (let i = 0; i < requests; i++) {
    const started = performance.now();
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: BODY });
    await response.arrayBuffer();
    ms.push(performance.now() - started);
  }
  return { p50: percentile(ms, 50), p99: percentile(ms, 99) };
}

// ---------------------------------------------------------------------------------------------
// One measured run

export interface Scenario {
  name: 'model path' | 'fallback path';
  env: Record<string, string>;
}
export const MODEL_PATH: Scenario = { name: 'model path', env: {} };
/** The model fails every call: the gateway falls back to the rules (mostly with the circuit open). */
export const FALLBACK_PATH: Scenario = { name: 'fallback path', env: { MODEL_ERROR_RATE: '1' } };

export interface Run extends Load {
  scenario: Scenario['name'];
  mode: string;
  round: number;
  cpuMsPerRequest: Record<ServiceName | 'total', number>;
  rssMiB: Record<ServiceName, number>;
  /** Latency of requests sent one at a time after the measured window (ms). */
  unqueued: { p50: number; p99: number };
  /** OTLP bytes received by the sink per request, by signal. */
  exportedBytesPerRequest: Record<string, number>;
  /** With --profile: CPU ms per request in the measured window, by who spent it. */
  profile?: Partial<Record<ServiceName, Record<string, number>>>;
}

export async function measure(options: ServicesBenchOptions, scenario: Scenario, mode: Mode, round: number, sink: Sink): Promise<Run> {
  const processes = await startServices(options, mode, sink, scenario.env);
  try {
    await load(gatewayUrl, options.warmupSeconds, options.connections, options.rate); // JIT, connection pools, batch queues at steady state
    // The services only: a mode's broker is not the services' cost (its CPU is left out).
    const services = processes.filter((p) => (SERVICE_NAMES as string[]).includes(p.name));
    const pids = Object.fromEntries(services.map((p) => [p.name, p.pid])) as Record<ServiceName, number>;
    const cpuBefore = Object.fromEntries(services.map((p) => [p.name, processCpuSeconds(p.pid) * 1000]));
    const sinkBefore = await sink.stats();
    const stopSampling = sampleRss(pids);
    const windowUs = [monotonicUs()];
    const result = await load(gatewayUrl, options.seconds, options.connections, options.rate);
    windowUs.push(monotonicUs());
    const rss = stopSampling() as Record<ServiceName, number>;
    const sinkAfter = await sink.stats();
    const perRequest = (ms: number) => ms / Math.max(result.requests, 1);
    const cpu = Object.fromEntries(
      services.map((p) => [p.name, perRequest(processCpuSeconds(p.pid) * 1000 - cpuBefore[p.name]!)]),
    ) as Record<ServiceName, number>;
    const exported: Record<string, number> = {};
    for (const [signal, after] of Object.entries(sinkAfter)) {
      exported[signal] = (after.bytes - (sinkBefore[signal]?.bytes ?? 0)) / Math.max(result.requests, 1);
    }
    const unqueued = await unqueuedLatency(gatewayUrl);
    const run: Run = {
      ...result,
      scenario: scenario.name,
      mode: mode.name,
      round,
      cpuMsPerRequest: { ...cpu, total: Object.values(cpu).reduce((a, b) => a + b, 0) },
      rssMiB: rss,
      unqueued,
      exportedBytesPerRequest: exported,
    };
    await stopServices(processes); // profiles are written on exit
    if (options.profile) {
      run.profile = {};
      for (const p of processes) {
        const file = profileFile(mode, p.pid);
        if (file) run.profile[p.name as ServiceName] = cpuByOwner(file, windowUs[0]!, windowUs[1]!, result.requests);
      }
    }
    return run;
  } finally {
    await stopServices(processes);
  }
}
