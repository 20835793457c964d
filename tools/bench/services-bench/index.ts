// What does the telemetry cost, and how fresh is it? Runs the three services side by side in
// three modes: pure (no SDK loaded: `node server.js`), SDK loaded but disabled
// (OTEL_SDK_DISABLED=true), and instrumented and exporting; interleaved (pure, disabled,
// instrumented, pure, …) so that noise from other work on the machine hits every mode alike,
// each mode `--rounds` times, medians reported. The load generator (autocannon) and the OTLP
// sink each run in their own process. Then the fallback path (model failing), and the freshness
// of traces and logs in the real native stack (Jaeger, VictoriaLogs) under the same load.
// The command line is tools/cli/bench.ts.
import fs from 'node:fs';
import path from 'node:path';
import { startSink } from '../sink';
import { fixed, printGoals } from '../stats';
import { freshness } from './freshness';
import type { Mode } from './modes';
import type { ServicesBenchOptions } from './options';
import { printProfiles } from './profile';
import { FALLBACK_PATH, MODEL_PATH, measure, type Run, type Scenario, scrapeTargets } from './run';
import { goalChecks, printSummaries, type Summary, summarise } from './summary';

export async function runServicesBench(options: ServicesBenchOptions, modes: Mode[]): Promise<void> {
  const runs: Run[] = [];
  let summaries: Summary[] = [];
  if (options.benchmark) {
    const scenarios: [Scenario, Mode[]][] = [[MODEL_PATH, modes]];
    if (options.fallback) scenarios.push([FALLBACK_PATH, modes.filter((m) => m.name === 'pure' || m.name === 'instrumented')]);
    const total = options.rounds * scenarios.reduce((n, [, m]) => n + m.length, 0);
    console.log(
      `gateway POST /v1/predict, ${options.connections} connections${options.rate ? ` at ${options.rate} req/s in all` : ''}, ${options.seconds} s measured after ${options.warmupSeconds} s warm-up, ` +
        `model latency 0, ${options.rounds} round(s) of ${modes.map((m) => m.name).join(', ')} interleaved; ${total} runs\n`,
    );
    const sink = await startSink(scrapeTargets());
    try {
      for (let round = 1; round <= options.rounds; round++) {
        for (const [scenario, scenarioModes] of scenarios) {
          for (const mode of scenarioModes) {
            const run = await measure(options, scenario, mode, round, sink);
            runs.push(run);
            console.log(
              `  round ${round} ${scenario.name.padEnd(13)} ${mode.name.padEnd(22)} ${Math.round(run.requestsPerSecond).toString().padStart(5)} req/s  ` +
                `p50 ${run.p50} ms  CPU ${fixed(run.cpuMsPerRequest.total, 3)} ms/req  failures ${run.failures}`,
            );
          }
        }
      }
    } finally {
      await sink.stop();
    }
    summaries = summarise(runs);
    console.log();
    printSummaries(summaries);
    printProfiles(runs);
  }

  const fresh = options.freshness ? await freshness(options) : undefined;
  if (fresh) {
    console.log(
      `freshness (${fresh.probes} probes under ${options.connections} connections, ${Math.round(fresh.load.requestsPerSecond)} req/s): ` +
        `trace complete in Jaeger p50 ${fresh.traceCompleteMs.p50} ms, p95 ${fresh.traceCompleteMs.p95} ms; ` +
        `logs queryable in VictoriaLogs p50 ${fresh.logsQueryableMs.p50} ms, p95 ${fresh.logsQueryableMs.p95} ms`,
    );
    console.log(
      `delivery: spans ${fresh.delivery.acceptedSpans}/${fresh.delivery.expectedSpans} expected, log records ${fresh.delivery.acceptedLogs}/${fresh.delivery.expectedLogs}, refused or failed ${fresh.delivery.refused}`,
    );
    console.log(
      `native stack memory: idle ${Math.round(fresh.idlePssMiB.total)} MiB PSS (${Math.round(fresh.idleRssMiB.total)} MiB summed RSS), ` +
        `under load ${Math.round(fresh.loadedPssMiB.total)} MiB PSS (${Math.round(fresh.loadedRssMiB.total)} MiB summed RSS); ` +
        `idle PSS/RSS by process: ${Object.entries(fresh.idlePssMiB.byProcess)
          .map(([k, v]) => `${k} ${Math.round(v)}/${Math.round(fresh.idleRssMiB.byProcess[k] ?? 0)}`)
          .join(', ')}`,
    );
  }

  const goals = goalChecks(summaries, fresh);
  printGoals(
    goals,
    `  where the cost is and why it is left: docs/performance.md (Goals)${options.profile ? '' : '; the added CPU by owner: npm run bench -- --quick --modes pure,instrumented --no-fallback --profile'}`,
  );
  fs.mkdirSync(path.dirname(options.out), { recursive: true });
  fs.writeFileSync(
    options.out,
    `${JSON.stringify({ date: new Date().toISOString(), options, modes: modes.map(({ name, env, about }) => ({ name, env, about })), summaries, goals, freshness: fresh, runs }, null, 2)}\n`,
  );
  console.log(`\nwritten ${path.relative(process.cwd(), options.out)}`);
}
