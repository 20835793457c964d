// What can one gateway collector of the scaled topology (docs/scaling.md) take per core, and what
// does a trace cost in memory while tail sampling holds it? Runs the repository's collector as a
// gateway (collector/config.yaml + config.gateway.yaml, on ports of its own) in front of an OTLP
// sink that stands in for Jaeger and Prometheus (tools/otlp-sink.ts), loads it with telemetrygen
// (the collector project's load generator, built on demand from the Go module proxy) at a steady
// rate of whole traces, and measures:
//
//   spans/s per core  spans accepted ÷ CPU seconds of the collector process (/proc/<pid>/stat),
//                     with tail sampling (config.gateway.yaml as it is) and without (baseline:
//                     tail_sampling taken out of the traces/sampled pipeline, which then forwards
//                     every span to Jaeger), and with tail sampling keeping every trace
//                     (TAIL_SAMPLING_PERCENTAGE=100): as much sent on as the baseline, so the
//                     difference is the sampler's own cost
//   bytes per trace   RSS and Go heap against the traces tail sampling holds
//                     (traces_on_memory), at several decision_wait values and the same rate: the
//                     slope of a straight-line fit
//
// Interleaved (baseline, tail sampling at each decision_wait, baseline, …) so that other work on
// the machine hits every variant alike, `--rounds` times, medians reported. The generator and the
// sink run in processes of their own; only the collector's CPU time counts.
//
//   npm run bench:collector               about 4 minutes; writes .tracelab/bench/collector.json
//   npm run bench:collector -- --quick    one round, shorter windows: for iterating
//   options: --rate N (spans/s offered, default 10000)  --spans N (per trace, default 8)
//            --attributes N (per span, default 12)  --batch N (spans per OTLP request, default 512)
//            --waits 2,5,7 (decision_wait values, s: rate × wait must stay under the traces
//            memory_limiter lets a gateway hold, which the bench prints)
//            --rounds N (default 2)  --seconds N (measured window, default 10)
//            --warmup N (s after the longest decision_wait)  --no-baseline  --no-keep-all
//            --plan-traces N --plan-spans N --plan-wait N (the capacity example)  --out file
//   e.g. a longer, steadier run: npm run bench:collector -- --rounds 5 --seconds 30
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { parse, stringify } from 'yaml';
import { ensureBackend } from './backends';
import { commandLine, median, processCpuSeconds, TICKS_PER_SECOND } from './measure';
import { repoRoot, stateDir } from './paths';
import { type RunningProcess, startProcess } from './process';

const SINK = path.join(__dirname, 'otlp-sink.js');
const BENCH_DIR = path.join(stateDir, 'bench');
/** Linux reports CPU times in clock ticks of 1/100 s (USER_HZ). */
/** Clear of the stack's collectors (4317…, 8888…) and of the services bench (2xxxx service ports). */
const PORTS = { otlpGrpc: 24317, otlpHttp: 24318, health: 23133, metrics: 28888 };
const METRICS_URL = `http://127.0.0.1:${PORTS.metrics}/metrics`;
/**
 * telemetrygen paces each worker with a limiter it waits on before every span: one worker keeps
 * 500 spans/s exactly, but falls behind at a few thousand (measured: 4,000 asked, 1,770 sent).
 */
const SPANS_PER_WORKER = 500;
const MiB = 1024 * 1024;

// ---------------------------------------------------------------------------------------------
// Options

const { flag, value, number, usageError } = commandLine(process.argv.slice(2));
const numbers = (name: string, fallback: number[]) => {
  const raw = value(name);
  if (raw === undefined) return fallback;
  const list = raw.split(',').map(Number);
  if (!list.length || list.some((n) => !Number.isFinite(n) || n <= 0)) usageError(`--${name} needs positive numbers, got ${raw}`);
  return list;
};

const quick = flag('quick');
const options = {
  rate: number('rate', 10_000),
  spansPerTrace: Math.max(2, Math.round(number('spans', 8))),
  attributes: Math.max(2, Math.round(number('attributes', 12))),
  batch: Math.round(number('batch', 512)),
  waits: numbers('waits', quick ? [2, 5] : [2, 5, 7]),
  rounds: number('rounds', quick ? 1 : 2),
  seconds: number('seconds', quick ? 6 : 10),
  warmupSeconds: number('warmup', 3),
  baseline: !flag('no-baseline'),
  keepAll: !flag('no-keep-all'),
  plan: { traces: number('plan-traces', 10_000), spans: number('plan-spans', 8), waitS: number('plan-wait', 10) },
  out: value('out') ?? path.join(BENCH_DIR, 'collector.json'),
};

// ---------------------------------------------------------------------------------------------
// The configuration under test, and the variants

interface CollectorConfig {
  processors: { tail_sampling: { decision_wait: string }; memory_limiter?: Record<string, number> };
  service: { pipelines: Record<string, { processors?: string[] }> };
}
const CONFIG = path.join(repoRoot, 'collector', 'config.yaml');
const GATEWAY_CONFIG = path.join(repoRoot, 'collector', 'config.gateway.yaml');
const readConfig = (file: string) => parse(fs.readFileSync(file, 'utf8')) as CollectorConfig;
const gateway = readConfig(GATEWAY_CONFIG);
const memoryLimiter = { ...readConfig(CONFIG).processors.memory_limiter, ...gateway.processors.memory_limiter };
/** memory_limiter refuses data once the Go heap passes limit − spike (its soft limit). */
const softLimitMiB = (memoryLimiter.limit_mib ?? 0) - (memoryLimiter.spike_limit_mib ?? 0);

function seconds(duration: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)$/.exec(duration.trim());
  if (!match) throw new Error(`cannot read the duration ${JSON.stringify(duration)}`);
  return Number(match[1]) * { ms: 0.001, s: 1, m: 60 }[match[2] as 'ms' | 's' | 'm'];
}
const configWaitS = seconds(gateway.processors.tail_sampling.decision_wait);
const sampledProcessors = gateway.service.pipelines['traces/sampled']?.processors ?? [];
if (!sampledProcessors.includes('tail_sampling')) throw new Error(`${GATEWAY_CONFIG}: traces/sampled has no tail_sampling processor`);

interface Variant {
  key: string;
  label: string;
  /** decision_wait in s; undefined: no tail sampling. */
  waitS?: number;
  /** Tail sampling keeps every trace: as much sent on as without it. */
  keepAll?: boolean;
  /** Merged over config.yaml and config.gateway.yaml (the collector replaces lists, merges maps). */
  overlay?: unknown;
  env?: Record<string, string>;
}

function variants(): Variant[] {
  const list: Variant[] = [];
  if (options.baseline) {
    list.push({
      key: 'baseline',
      label: 'no tail sampling',
      overlay: { service: { pipelines: { 'traces/sampled': { processors: sampledProcessors.filter((p) => p !== 'tail_sampling') } } } },
    });
  }
  list.push({ key: 'tail', label: 'tail sampling (config)', waitS: configWaitS });
  if (options.keepAll) {
    list.push({
      key: 'tail-keep-all',
      label: 'tail sampling keeping all',
      waitS: configWaitS,
      keepAll: true,
      env: { TAIL_SAMPLING_PERCENTAGE: '100' },
    });
  }
  // Other decision_wait values, for the memory per trace held.
  for (const waitS of [...new Set(options.waits)].filter((w) => w !== configWaitS).sort((a, b) => a - b)) {
    list.push({
      key: `tail-${waitS}s`,
      label: `tail sampling, ${waitS} s`,
      waitS,
      overlay: { processors: { tail_sampling: { decision_wait: `${waitS}s` } } },
    });
  }
  return list;
}

// ---------------------------------------------------------------------------------------------
// The trace shape telemetrygen sends: a root span and children, like a tracelab request's HTTP
// server and client spans, with attributes of the same kind and a resource like the SDK's.

/** Per span beyond the two telemetrygen always sets (network.peer.address, service.peer.name). */
const SPAN_ATTRIBUTES: [string, string | number][] = [
  ['http.request.method', 'POST'],
  ['http.route', '/v1/predict'],
  ['http.response.status_code', 200],
  ['url.scheme', 'http'],
  ['url.path', '/v1/predict'],
  ['server.address', '127.0.0.1'],
  ['server.port', 8080],
  ['network.protocol.version', '1.1'],
  ['client.address', '127.0.0.1'],
  ['user_agent.original', 'node'],
  ['network.peer.port', 49152],
  ['tracelab.prediction', 'stay'],
];
const RESOURCE_ATTRIBUTES: [string, string | number][] = [
  ['service.version', '0.1.0'],
  ['service.instance.id', '4f6c2a8e-1b7d-4e0a-9c3f-2d5b8a7e6f10'],
  ['deployment.environment.name', 'dev'],
  ['host.name', 'tracelab-bench'],
  ['host.arch', 'amd64'],
  ['os.type', 'linux'],
  ['process.pid', 4242],
  ['process.executable.name', 'node'],
  ['process.runtime.name', 'nodejs'],
  ['process.runtime.version', '24.21.0'],
  ['process.runtime.description', 'Node.js'],
  ['process.command', '/app/dist/services/gateway/src/server.js'],
  ['telemetry.sdk.name', 'opentelemetry'],
  ['telemetry.sdk.language', 'nodejs'],
  ['telemetry.sdk.version', '3.0.0'],
];

const attribute = ([key, v]: [string, string | number]) => `${key}=${typeof v === 'number' ? v : JSON.stringify(v)}`;

function spanAttributes(): [string, string | number][] {
  const extra = options.attributes - 2;
  return Array.from({ length: extra }, (_, i) => SPAN_ATTRIBUTES[i] ?? ([`bench.attribute.${i}`, `value-${i}`] as [string, string]));
}

function generatorArgs(durationS: number): string[] {
  const workers = Math.max(1, Math.ceil(options.rate / SPANS_PER_WORKER));
  return [
    'traces',
    '--otlp-endpoint',
    `127.0.0.1:${PORTS.otlpGrpc}`,
    '--otlp-insecure',
    '--workers',
    String(workers),
    '--rate',
    String(options.rate / workers),
    '--child-spans',
    String(options.spansPerTrace - 1),
    '--duration',
    `${durationS}s`,
    '--batch-size',
    String(options.batch),
    // Keep sending when the collector refuses: the refusals are counted, not fatal.
    '--allow-export-failures',
    '--service',
    'bench',
    ...RESOURCE_ATTRIBUTES.flatMap((a) => ['--otlp-attributes', attribute(a)]),
    ...spanAttributes().flatMap((a) => ['--telemetry-attributes', attribute(a)]),
  ];
}

// ---------------------------------------------------------------------------------------------
// Measuring

/** CPU seconds every process on the machine has used (busy, not idle or waiting on I/O). */
function machineBusySeconds(): number {
  const [, user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fs
    .readFileSync('/proc/stat', 'utf8')
    .split('\n')[0]!
    .trim()
    .split(/\s+/)
    .map(Number);
  return (user + nice + system + irq + softirq + steal) / TICKS_PER_SECOND;
}

function rssBytes(pid: number): number {
  try {
    return Number(/^VmRSS:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;
  } catch {
    return 0;
  }
}

/** The collector's own metrics, summed over their labels (optionally only series matching `labels`). */
class Metrics {
  constructor(private readonly lines: string[]) {}
  static async scrape(): Promise<Metrics> {
    const text = await (await fetch(METRICS_URL, { signal: AbortSignal.timeout(5000) })).text();
    return new Metrics(text.split('\n').filter((line) => line.startsWith('otelcol_')));
  }
  get(name: string, labels?: RegExp): number {
    let sum = 0;
    for (const line of this.lines) {
      const match = /^([a-z_]+?)(?:_total)?(\{[^}]*\})?\s+(\S+)$/.exec(line);
      if (match?.[1] === name && (!labels || labels.test(match[2] ?? ''))) sum += Number(match[3]);
    }
    return sum;
  }
}

/** The counters a run reads at the start and end of its window. */
function counters(m: Metrics) {
  return {
    accepted: m.get('otelcol_receiver_accepted_spans'),
    refused: m.get('otelcol_receiver_refused_spans') + m.get('otelcol_processor_memory_limiter_refused_spans'),
    exported: m.get('otelcol_exporter_sent_spans', /exporter="otlp_grpc\/jaeger"/),
    exportFailed:
      m.get('otelcol_exporter_send_failed_spans', /exporter="otlp_grpc\/jaeger"/) +
      m.get('otelcol_exporter_enqueue_failed_spans', /exporter="otlp_grpc\/jaeger"/),
    droppedTooEarly: m.get('otelcol_processor_tail_sampling_sampling_trace_dropped_too_early'),
  };
}

interface GcCycle {
  at: number;
  liveMiB: number;
  goalMiB: number;
}

/** A GODEBUG=gctrace=1 line: `gc 12 @3.1s 0%: … ms cpu, 44->45->29 MB, 46 MB goal, …` (29: live after marking). */
function parseGc(line: string): GcCycle | undefined {
  const match = /^gc \d+ @[\d.]+s .*?(\d+)->(\d+)->(\d+) MB, (\d+) MB goal/.exec(line);
  return match ? { at: performance.now(), liveMiB: Number(match[3]), goalMiB: Number(match[4]) } : undefined;
}

interface Run {
  variant: string;
  round: number;
  windowS: number;
  offeredSpansPerS: number;
  acceptedSpansPerS: number;
  collectorCores: number;
  spansPerCore: number;
  exportedSpansPerS: number;
  generatorCores: number;
  sinkCores: number;
  /** OTLP bytes (as sent: gzip) the sink received as Jaeger, per span sent on. */
  exportedBytesPerSpan: number;
  /** CPU the rest of the machine used meanwhile (other people's work), in cores. */
  otherCores: number;
  /** Medians over the window. */
  tracesHeld: number;
  rssMiB: number;
  heapAllocMiB: number;
  /** Medians over the GC cycles once the traces held had levelled off. */
  liveHeapMiB: number;
  heapGoalMiB: number;
  gcCycles: number;
  /** Whole run: what telemetrygen generated, what the collector accepted, refused, lost. */
  generatedSpans: number;
  acceptedSpans: number;
  refusedSpans: number;
  lostSpans: number;
  exportFailedSpans: number;
  droppedTooEarly: number;
  /** The collector took everything: nothing refused, lost, failed or evicted early. */
  sustained: boolean;
  problems: string[];
  /**
   * Under 95 % of the offered rate arrived: telemetrygen's pacing falls behind when it is starved
   * of CPU (a busy machine), or spans were lost (then a problem says so).
   */
  generatorBehind: boolean;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Sink {
  pid: number;
  /** Bytes received of a signal (trace, metric, log) so far. */
  bytes(signal: string): Promise<number>;
  httpUrl: string;
  grpcAddress: string;
  stop(): Promise<void>;
}

async function startSink(): Promise<Sink> {
  const child = execa(process.execPath, [SINK], { stdout: 'pipe', stderr: 'inherit', reject: false, cleanup: true });
  const ports = await new Promise<{ http: number; grpc: number }>((resolve, reject) => {
    child.stdout!.once('data', (line: Buffer) => resolve(JSON.parse(line.toString())));
    void child.then(() => reject(new Error('the OTLP sink exited during start-up')));
  });
  return {
    pid: child.pid!,
    bytes: async (signal) => {
      const stats = (await (await fetch(`http://127.0.0.1:${ports.http}/stats`)).json()) as Record<string, { bytes: number }>;
      return stats[signal]?.bytes ?? 0;
    },
    httpUrl: `http://127.0.0.1:${ports.http}`,
    grpcAddress: `127.0.0.1:${ports.grpc}`,
    stop: async () => {
      child.kill('SIGTERM');
      await child;
    },
  };
}

interface Binaries {
  collector: string;
  telemetrygen: string;
}

async function startCollector(binaries: Binaries, variant: Variant, sink: Sink, workDir: string, onGc: (gc: GcCycle) => void) {
  const args = [`--config=${CONFIG}`, `--config=${GATEWAY_CONFIG}`];
  if (variant.overlay) {
    const file = path.join(workDir, `${variant.key}.yaml`);
    fs.writeFileSync(file, `# Written by tools/bench-collector.ts: ${variant.label}\n${stringify(variant.overlay)}`);
    args.push(`--config=${file}`);
  }
  const queueDir = fs.mkdtempSync(path.join(workDir, 'queue-'));
  const tail: string[] = [];
  try {
    return await startProcess(
      {
        name: `gateway collector (${variant.label})`,
        command: binaries.collector,
        args,
        env: {
          COLLECTOR_LISTEN_HOST: '127.0.0.1',
          COLLECTOR_QUEUE_DIR: queueDir,
          COLLECTOR_NAME: 'bench',
          COLLECTOR_OTLP_GRPC_PORT: String(PORTS.otlpGrpc),
          COLLECTOR_OTLP_HTTP_PORT: String(PORTS.otlpHttp),
          COLLECTOR_HEALTH_PORT: String(PORTS.health),
          COLLECTOR_METRICS_PORT: String(PORTS.metrics),
          JAEGER_OTLP_GRPC_ADDR: sink.grpcAddress,
          PROMETHEUS_URL: sink.httpUrl,
          VICTORIALOGS_URL: sink.httpUrl,
          // One line per garbage collection on stderr: the live heap after each.
          GODEBUG: 'gctrace=1',
          ...variant.env,
        },
        readyUrl: `http://127.0.0.1:${PORTS.health}/`,
        ports: Object.values(PORTS),
      },
      {
        readyTimeoutMs: 30_000,
        onStderrLine: (line) => {
          const gc = parseGc(line);
          if (gc) onGc(gc);
          else if (tail.push(line) > 20) tail.shift();
        },
      },
    );
  } catch (error) {
    throw new Error(`${(error as Error).message}\n  its last lines:\n${tail.map((l) => `    ${l}`).join('\n')}`);
  }
}

/** The tail sampling runs all last as long (the decision cache fills alike); the baseline needs no wait. */
const warmupFor = (variant: Variant) =>
  variant.waitS === undefined ? options.warmupSeconds : Math.max(...options.waits) + options.warmupSeconds;

async function measure(binaries: Binaries, variant: Variant, round: number, sink: Sink, workDir: string): Promise<Run> {
  const gcs: GcCycle[] = [];
  const collector: RunningProcess = await startCollector(binaries, variant, sink, workDir, (gc) => gcs.push(gc));
  let generator: ResultPromise<{ all: true; reject: false; cleanup: true }> | undefined;
  try {
    const warmupS = warmupFor(variant);
    const started = performance.now();
    generator = execa(binaries.telemetrygen, generatorArgs(warmupS + options.seconds + 1), {
      all: true,
      reject: false,
      cleanup: true,
    });
    await sleep(warmupS * 1000);

    const snapshot = async () => ({
      at: performance.now(),
      collectorCpu: processCpuSeconds(collector.pid),
      generatorCpu: processCpuSeconds(generator?.pid),
      sinkCpu: processCpuSeconds(sink.pid),
      sinkTraceBytes: await sink.bytes('trace'),
      machineCpu: machineBusySeconds(),
      ...counters(await Metrics.scrape()),
    });
    const before = await snapshot();
    const samples: { traces: number; rss: number; heap: number }[] = [];
    for (let i = 0; i < options.seconds; i++) {
      await sleep(before.at + (i + 1) * 1000 - performance.now());
      const m = await Metrics.scrape();
      samples.push({
        traces: m.get('otelcol_processor_tail_sampling_sampling_traces_on_memory'),
        rss: rssBytes(collector.pid),
        heap: m.get('otelcol_process_runtime_heap_alloc_bytes'),
      });
    }
    const after = await snapshot();

    const result = await generator;
    const generatedSpans =
      [...String(result.all ?? '').matchAll(/traces generated.*?"traces":\s*(\d+)/g)].reduce((sum, m) => sum + Number(m[1]), 0) *
      options.spansPerTrace;
    // Whatever was generated must arrive: wait for the last batches (or until nothing more comes).
    let end = counters(await Metrics.scrape());
    for (let idle = 0; end.accepted + end.refused < generatedSpans && idle < 8; ) {
      await sleep(250);
      const next = counters(await Metrics.scrape());
      idle = next.accepted === end.accepted ? idle + 1 : 0;
      end = next;
    }

    const windowS = (after.at - before.at) / 1000;
    const cores = (a: number, b: number) => (b - a) / windowS;
    const collectorCores = cores(before.collectorCpu, after.collectorCpu);
    const generatorCores = cores(before.generatorCpu, after.generatorCpu);
    const sinkCores = cores(before.sinkCpu, after.sinkCpu);
    const acceptedSpansPerS = (after.accepted - before.accepted) / windowS;
    // GC cycles once the traces held have levelled off: decision_wait (and a tick) after the start.
    const steadyFrom = started + ((variant.waitS ?? 0) + 2) * 1000;
    const steadyGcs = gcs.filter((gc) => gc.at >= steadyFrom && gc.at <= after.at);
    const run: Run = {
      variant: variant.key,
      round,
      windowS,
      offeredSpansPerS: options.rate,
      acceptedSpansPerS,
      collectorCores,
      spansPerCore: acceptedSpansPerS / collectorCores,
      exportedSpansPerS: (after.exported - before.exported) / windowS,
      generatorCores,
      sinkCores,
      exportedBytesPerSpan: (after.sinkTraceBytes - before.sinkTraceBytes) / Math.max(1, after.exported - before.exported),
      otherCores: Math.max(0, cores(before.machineCpu, after.machineCpu) - collectorCores - generatorCores - sinkCores),
      tracesHeld: median(samples.map((s) => s.traces)),
      rssMiB: median(samples.map((s) => s.rss)) / MiB,
      heapAllocMiB: median(samples.map((s) => s.heap)) / MiB,
      liveHeapMiB: median(steadyGcs.map((gc) => gc.liveMiB)),
      heapGoalMiB: median(steadyGcs.map((gc) => gc.goalMiB)),
      gcCycles: steadyGcs.length,
      generatedSpans,
      acceptedSpans: end.accepted,
      refusedSpans: end.refused,
      lostSpans: Math.max(0, generatedSpans - end.accepted),
      exportFailedSpans: end.exportFailed,
      droppedTooEarly: end.droppedTooEarly,
      sustained: true,
      problems: [],
      generatorBehind: acceptedSpansPerS < 0.95 * options.rate,
    };
    if (result.exitCode !== 0)
      run.problems.push(`telemetrygen exited ${result.exitCode}: ${String(result.all).split('\n').slice(-3).join(' | ')}`);
    if (run.refusedSpans) run.problems.push(`${run.refusedSpans} spans refused`);
    if (run.lostSpans > 0.001 * generatedSpans) run.problems.push(`${run.lostSpans} of ${generatedSpans} spans lost before the collector`);
    if (run.exportFailedSpans) run.problems.push(`${run.exportFailedSpans} spans failed to export`);
    if (run.droppedTooEarly) run.problems.push(`${run.droppedTooEarly} traces dropped before their decision (num_traces too small)`);
    run.sustained = run.problems.length === 0;
    return run;
  } finally {
    generator?.kill();
    await collector.stop();
  }
}

// ---------------------------------------------------------------------------------------------
// Summaries

interface Fit {
  slope: number;
  intercept: number;
  r2: number;
  points: number;
}

/** Least-squares straight line through (x, y). */
function lineFit(points: [number, number][]): Fit | undefined {
  const usable = points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  if (usable.length < 2) return undefined;
  const n = usable.length;
  const mx = usable.reduce((s, [x]) => s + x, 0) / n;
  const my = usable.reduce((s, [, y]) => s + y, 0) / n;
  const sxx = usable.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  if (sxx === 0) return undefined;
  const slope = usable.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0) / sxx;
  const intercept = my - slope * mx;
  const ssTotal = usable.reduce((s, [, y]) => s + (y - my) ** 2, 0);
  const ssResidual = usable.reduce((s, [x, y]) => s + (y - intercept - slope * x) ** 2, 0);
  return { slope, intercept, r2: ssTotal ? 1 - ssResidual / ssTotal : 1, points: n };
}

type Summary = { variant: Variant; runs: Run[] } & Record<NumericKey, number>;
type NumericKey = {
  [K in keyof Run]: Run[K] extends number ? (K extends 'round' ? never : K) : never;
}[keyof Run];

function summarise(list: Variant[], runs: Run[]): Summary[] {
  return list.map((variant) => {
    const mine = runs.filter((r) => r.variant === variant.key);
    const summary = { variant, runs: mine } as Summary;
    for (const key of Object.keys(mine[0] ?? {}) as (keyof Run)[]) {
      if (typeof mine[0]![key] === 'number' && key !== 'round')
        (summary as Record<string, unknown>)[key] = median(mine.map((r) => r[key] as number));
    }
    for (const key of ['generatedSpans', 'acceptedSpans', 'refusedSpans', 'lostSpans', 'exportFailedSpans', 'droppedTooEarly'] as const) {
      summary[key] = mine.reduce((sum, r) => sum + r[key], 0);
    }
    return summary;
  });
}

const group = (n: number, digits = 0) =>
  Number.isFinite(n) ? n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : '–';

/** A Markdown table (pastes into the docs as it is): first column left-aligned, the rest right. */
function printMarkdown(table: string[][]): void {
  const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
  const line = (row: string[]) => `| ${row.map((cell, i) => (i ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join(' | ')} |`;
  console.log(line(table[0]!));
  console.log(`| ${widths.map((w, i) => (i ? `${'-'.repeat(w - 1)}:` : '-'.repeat(w))).join(' | ')} |`);
  for (const row of table.slice(1)) console.log(line(row));
}

/** Throughput per core, side by side: a row per measure, a column per variant at the configured decision_wait. */
function printThroughput(summaries: Summary[]): void {
  const columns = summaries.filter((s) => !s.variant.overlay || s.variant.waitS === undefined);
  const baseline = columns.find((s) => s.variant.waitS === undefined);
  const rows: [string, (s: Summary) => string][] = [
    ['spans/s accepted (offered)', (s) => `${group(s.acceptedSpansPerS)} (${group(s.offeredSpansPerS)})`],
    ['collector CPU, cores', (s) => group(s.collectorCores, 3)],
    ['**spans/s per collector core**', (s) => `**${group(s.spansPerCore)}**`],
    // The noise: CPU time per span rises when other work shares the cores and their caches.
    [
      'spans/s per core, lowest–highest run',
      (s) => `${group(Math.min(...s.runs.map((r) => r.spansPerCore)))}–${group(Math.max(...s.runs.map((r) => r.spansPerCore)))}`,
    ],
    ['collector CPU µs per span', (s) => group(1e6 / s.spansPerCore, 1)],
    [
      'per core vs no tail sampling',
      (s) => (baseline && s !== baseline ? `${group((s.spansPerCore / baseline.spansPerCore) * 100)} %` : ''),
    ],
    ['spans/s sent on to Jaeger (sink)', (s) => group(s.exportedSpansPerS)],
    ['bytes sent on per span (OTLP, gzip)', (s) => group(s.exportedBytesPerSpan)],
    ['traces held (traces_on_memory)', (s) => group(s.tracesHeld)],
    ['RSS, MiB', (s) => group(s.rssMiB, 1)],
    ['refused / lost / export failed, spans', (s) => `${group(s.refusedSpans)} / ${group(s.lostSpans)} / ${group(s.exportFailedSpans)}`],
    ['telemetrygen CPU, cores', (s) => group(s.generatorCores, 3)],
    ['sink CPU, cores', (s) => group(s.sinkCores, 3)],
    ['other processes on the machine, cores', (s) => group(s.otherCores, 2)],
    [
      'runs sustained (generator behind)',
      (s) => `${s.runs.filter((r) => r.sustained).length}/${s.runs.length} (${s.runs.filter((r) => r.generatorBehind).length})`,
    ],
  ];
  printMarkdown([['', ...columns.map((s) => s.variant.label)], ...rows.map(([name, cell]) => [name, ...columns.map(cell)])]);
}

/** Memory against the traces held: a row per variant. */
function printMemoryTable(summaries: Summary[]): void {
  printMarkdown([
    ['', 'decision_wait', 'traces held', 's held', 'RSS MiB', 'Go heap live MiB', 'Go heap goal MiB', 'spans/s per core'],
    ...summaries.map((s) => [
      s.variant.label,
      s.variant.waitS === undefined ? '' : `${s.variant.waitS} s`,
      group(s.tracesHeld),
      s.variant.waitS === undefined ? '' : group(s.tracesHeld / (s.acceptedSpansPerS / options.spansPerTrace), 1),
      group(s.rssMiB, 1),
      group(s.liveHeapMiB),
      group(s.heapGoalMiB),
      group(s.spansPerCore),
    ]),
  ]);
}

interface MemoryFits {
  rss?: Fit;
  live?: Fit;
  goal?: Fit;
  /** Lowest and highest traces held among the fitted runs. */
  heldRange: [number, number];
  /** Seconds a trace stays held beyond decision_wait (decisions run on a 1 s tick). */
  overhangS: number;
  /**
   * Traces one gateway holds before its heap goal (where the heap peaks between collections)
   * reaches memory_limiter's soft limit, past which it refuses spans.
   */
  maxHeld?: number;
}

function memoryFits(runs: Run[], list: Variant[]): MemoryFits {
  // The runs at the configured sampling share (keeping all sends ten times as much on).
  const waitOf = (r: Run) => list.find((v) => v.key === r.variant);
  const tail = runs.filter((r) => waitOf(r)?.waitS !== undefined && !waitOf(r)?.keepAll);
  const bytes = (pick: (r: Run) => number) => lineFit(tail.map((r) => [r.tracesHeld, pick(r) * MiB]));
  const goal = bytes((r) => r.heapGoalMiB);
  const held = tail.map((r) => r.tracesHeld);
  return {
    rss: bytes((r) => r.rssMiB),
    live: bytes((r) => r.liveHeapMiB),
    goal,
    heldRange: [Math.min(...held), Math.max(...held)],
    overhangS: Math.max(0, median(tail.map((r) => r.tracesHeld / (r.acceptedSpansPerS / options.spansPerTrace) - waitOf(r)!.waitS!))),
    maxHeld: goal && softLimitMiB > 0 ? (softLimitMiB * MiB - goal.intercept) / goal.slope : undefined,
  };
}

function printMemory(fits: MemoryFits): void {
  if (!fits.rss) return;
  const kb = (f: Fit | undefined) => (f ? `${group(f.slope / 1024, 1)} KiB (R² ${f.r2.toFixed(3)})` : '–');
  console.log(
    `
memory per trace held (a straight line through ${fits.rss.points} tail-sampling runs, ${group(fits.heldRange[0])}–${group(fits.heldRange[1])} traces held; ` +
      `${options.spansPerTrace} spans of ${options.attributes} attributes, ${RESOURCE_ATTRIBUTES.length + 1} resource attributes):`,
  );
  console.log(`  RSS ${kb(fits.rss)}; Go heap live after GC ${kb(fits.live)}; Go heap goal ${kb(fits.goal)}`);
  if (fits.live) console.log(`  live heap per span held: ${group(fits.live.slope / options.spansPerTrace)} bytes`);
  if (fits.maxHeld !== undefined) {
    console.log(
      `  memory_limiter (limit_mib ${memoryLimiter.limit_mib}, spike_limit_mib ${memoryLimiter.spike_limit_mib}) refuses spans once the heap passes ${softLimitMiB} MiB: ` +
        `about ${group(fits.maxHeld)} traces held per gateway, i.e. ${group(fits.maxHeld / (configWaitS + fits.overhangS))} traces/s per gateway at decision_wait ${configWaitS} s`,
    );
  }
}

function printPlan(summaries: Summary[], fits: MemoryFits): void {
  const tail = summaries.find((s) => s.variant.key === 'tail');
  if (!tail || !fits.rss) return;
  const { traces, spans, waitS } = options.plan;
  const spansPerS = traces * spans;
  const held = traces * (waitS + fits.overhangS);
  const rssGiB = (held * fits.rss.slope) / 1024 ** 3;
  console.log(
    `
capacity example (--plan-*): ${group(traces)} traces/s of ${spans} spans = ${group(spansPerS)} spans/s, decision_wait ${waitS} s:
` +
      `  CPU: ${group(spansPerS)} ÷ ${group(tail.spansPerCore)} spans/s per core = ${group(spansPerS / tail.spansPerCore, 1)} gateway cores, busy (leave headroom)
` +
      `  memory: ${group(held)} traces held (${waitS} s + ${group(fits.overhangS, 1)} s) × ${group(fits.rss.slope / 1024, 1)} KiB RSS = ${group(rssGiB, 2)} GiB ` +
      `across the gateways, plus ~${group(fits.rss.intercept / MiB)} MiB each` +
      (fits.maxHeld
        ? `; memory_limiter as configured allows ${group(fits.maxHeld)} traces per gateway: ${Math.ceil(held / fits.maxHeld)} gateways, or a higher limit_mib`
        : ''),
  );
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const list = variants();
  const load = () =>
    os
      .loadavg()
      .map((n) => n.toFixed(2))
      .join(', ');
  const startedAt = Date.now();
  const loadAtStart = load();
  const perRound = list.reduce((s, v) => s + warmupFor(v) + options.seconds + 4, 0);
  const workers = Math.max(1, Math.ceil(options.rate / SPANS_PER_WORKER));
  console.log(
    `one gateway collector (collector/config.yaml + config.gateway.yaml) behind an OTLP sink; telemetrygen sends ` +
      `${group(options.rate)} spans/s over OTLP gRPC (${group(options.rate / options.spansPerTrace)} traces/s of ${options.spansPerTrace} spans, ` +
      `${options.attributes} attributes per span, ${RESOURCE_ATTRIBUTES.length + 1} resource attributes, ${options.batch} spans per request, ${workers} workers)`,
  );
  console.log(
    `${list.map((v) => v.label).join(', ')}; each ${options.seconds} s measured after a warm-up (tail sampling: the longest decision_wait + ${options.warmupSeconds} s); ` +
      `${options.rounds} round(s) interleaved: about ${Math.max(1, Math.round((perRound * options.rounds) / 60))} min`,
  );
  console.log(`machine: ${os.cpus().length} cores, load average ${loadAtStart} (1, 5, 15 min)\n`);

  const binaries: Binaries = { collector: await ensureBackend('collector'), telemetrygen: await ensureBackend('telemetrygen') };
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tracelab-bench-collector-'));
  const sink = await startSink();
  const runs: Run[] = [];
  try {
    for (let round = 1; round <= options.rounds; round++) {
      for (const variant of list) {
        const run = await measure(binaries, variant, round, sink, workDir);
        runs.push(run);
        console.log(
          `  round ${round}/${options.rounds} ${variant.label.padEnd(30)} ${group(run.acceptedSpansPerS).padStart(7)} spans/s  ` +
            `${run.collectorCores.toFixed(3)} cores  ${group(run.spansPerCore).padStart(7)} spans/s/core  ` +
            `held ${group(run.tracesHeld).padStart(6)}  RSS ${group(run.rssMiB).padStart(4)} MiB  live heap ${group(run.liveHeapMiB).padStart(3)} MiB  ` +
            `others ${run.otherCores.toFixed(2)} cores${run.generatorBehind ? '  (generator behind: it sent less than offered)' : ''}` +
            `${run.sustained ? '' : `  ✗ ${run.problems.join('; ')}`}`,
        );
      }
    }
  } finally {
    await sink.stop();
    fs.rmSync(workDir, { recursive: true, force: true });
  }

  const summaries = summarise(list, runs);
  const fits = memoryFits(runs, list);
  console.log(`\nmedians of ${options.rounds} round(s); refused/lost summed over them:\n`);
  printThroughput(summaries);
  console.log();
  printMemoryTable(summaries);
  printMemory(fits);
  printPlan(summaries, fits);
  const loadAtEnd = load();
  console.log(
    `\nmachine load average ${loadAtStart} at the start, ${loadAtEnd} at the end; ${((Date.now() - startedAt) / 60_000).toFixed(1)} min in all`,
  );
  if (runs.some((r) => !r.sustained)) console.log('some runs were not sustained (✗ above): lower --rate, or run on a quieter machine');
  if (runs.some((r) => r.generatorBehind)) {
    console.log(
      'telemetrygen fell behind the offered rate in some runs (CPU-starved); spans/s per core divides what arrived, so it still holds',
    );
  }

  fs.mkdirSync(path.dirname(options.out), { recursive: true });
  fs.writeFileSync(
    options.out,
    `${JSON.stringify(
      {
        date: new Date().toISOString(),
        options,
        shape: {
          spansPerTrace: options.spansPerTrace,
          spanAttributes: options.attributes,
          resourceAttributes: RESOURCE_ATTRIBUTES.length + 1,
        },
        machine: { cores: os.cpus().length, loadAtStart, loadAtEnd },
        summaries: summaries.map(({ variant, runs: _, ...rest }) => ({
          variant: variant.key,
          label: variant.label,
          waitS: variant.waitS,
          ...rest,
        })),
        memory: fits,
        runs,
      },
      null,
      2,
    )}\n`,
  );
  console.log(`written ${path.relative(process.cwd(), options.out)}`);
}

main().catch((error: unknown) => {
  console.error(`[bench:collector] ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
