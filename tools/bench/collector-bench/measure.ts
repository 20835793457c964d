// One measured run of the collector benchmark: the collector as a gateway in front of the sink,
// telemetrygen at a steady rate, CPU from /proc and the collector's own metrics before and after
// the window, memory sampled every second and the Go heap from its GC trace.
import fs from 'node:fs';
import path from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { stringify } from 'yaml';
import { type RunningProcess, startProcess } from '../../runner/process';
import { machineBusySeconds, processCpuSeconds, rssMiB } from '../proc';
import type { Sink } from '../sink';
import { median } from '../stats';
import { CONFIG, GATEWAY_CONFIG, generatorArgs, METRICS_URL, MiB, PORTS, type Variant } from './config';
import type { CollectorBenchOptions } from './options';

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

export interface Run {
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

export interface Binaries {
  collector: string;
  telemetrygen: string;
}

async function startCollector(binaries: Binaries, variant: Variant, sink: Sink, workDir: string, onGc: (gc: GcCycle) => void) {
  const args = [`--config=${CONFIG}`, `--config=${GATEWAY_CONFIG}`];
  if (variant.overlay) {
    const file = path.join(workDir, `${variant.key}.yaml`);
    fs.writeFileSync(
      file,
      `# Written by the collector bench (tools/bench/collector-bench/): ${variant.label}\n${stringify(variant.overlay)}`,
    );
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
export const warmupFor = (options: CollectorBenchOptions, variant: Variant) =>
  variant.waitS === undefined ? options.warmupSeconds : Math.max(...options.waits) + options.warmupSeconds;

export async function measure(
  options: CollectorBenchOptions,
  binaries: Binaries,
  variant: Variant,
  round: number,
  sink: Sink,
  workDir: string,
): Promise<Run> {
  const gcs: GcCycle[] = [];
  const collector: RunningProcess = await startCollector(binaries, variant, sink, workDir, (gc) => gcs.push(gc));
  let generator: ResultPromise<{ all: true; reject: false; cleanup: true }> | undefined;
  try {
    const warmupS = warmupFor(options, variant);
    const started = performance.now();
    generator = execa(binaries.telemetrygen, generatorArgs(options, warmupS + options.seconds + 1), {
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
        rss: rssMiB(collector.pid) * MiB,
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
