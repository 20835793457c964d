// What can one gateway collector of the scaled topology (docs/scaling.md) take per core, and what
// does a trace cost in memory while tail sampling holds it? Runs the repository's collector as a
// gateway (collector/config.yaml + config.gateway.yaml, on ports of its own) in front of an OTLP
// sink that stands in for Jaeger and Prometheus (tools/bench/otlp-sink.ts), loads it with telemetrygen
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
// The command line is tools/cli/bench-collector.ts.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureBackend } from '../../backends/cache';
import { startSink } from '../sink';
import { group } from '../stats';
import { RESOURCE_ATTRIBUTES, SPANS_PER_WORKER, variants } from './config';
import { type Binaries, measure, type Run, warmupFor } from './measure';
import type { CollectorBenchOptions } from './options';
import { memoryFits, printMemory, printMemoryTable, printPlan, printThroughput, summarise } from './report';

export async function runCollectorBench(options: CollectorBenchOptions): Promise<void> {
  const list = variants(options);
  const load = () =>
    os
      .loadavg()
      .map((n) => n.toFixed(2))
      .join(', ');
  const startedAt = Date.now();
  const loadAtStart = load();
  const perRound = list.reduce((s, v) => s + warmupFor(options, v) + options.seconds + 4, 0);
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
        const run = await measure(options, binaries, variant, round, sink, workDir);
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
  const fits = memoryFits(options, runs, list);
  console.log(`\nmedians of ${options.rounds} round(s); refused/lost summed over them:\n`);
  printThroughput(summaries);
  console.log();
  printMemoryTable(options, summaries);
  printMemory(options, fits);
  printPlan(options, summaries, fits);
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
