// Freshness and memory of the real native stack: the runner in a process of its own
// (tools/runner/serve-stack.ts), idle and under load, with a probe request a second whose trace
// and logs are waited for in Jaeger and VictoriaLogs, and the collector's counters for delivery.
import fs from 'node:fs';
import path from 'node:path';
import { type JaegerTrace, jaegerClient } from '../../../clients/jaeger';
import { victoriaLogsClient } from '../../../clients/victorialogs';
import { eventually } from '../../../clients/wait';
import { URLS } from '../../../local/addresses';
import { distDir } from '../../../local/paths';
import { startProcess } from '../../runner/process';
import { processTree, pssMiB, rssMiB } from '../proc';
import { BENCH_DIR } from '../results';
import { percentile } from '../stats';
import type { ServicesBenchOptions } from './options';
import { BODY, type Load, load } from './run';

export interface Freshness {
  stateDir: string;
  idleRssMiB: TreeMemory;
  idlePssMiB: TreeMemory;
  loadedRssMiB: TreeMemory;
  loadedPssMiB: TreeMemory;
  load: Load;
  probes: number;
  traceCompleteMs: { p50: number; p95: number; max: number; samples: number[] };
  logsQueryableMs: { p50: number; p95: number; max: number; samples: number[] };
  /** Spans and log records the collector accepted during the load vs what the requests produced. */
  delivery: {
    spansPerRequest: number;
    expectedSpans: number;
    acceptedSpans: number;
    expectedLogs: number;
    acceptedLogs: number;
    refused: number;
  };
}

/** A Node process by what it runs (a service's, the console's, the alert recorder's script), not its thread name. */
function nodeScript(pid: number): string | undefined {
  try {
    const args = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    const script = args.find((arg) => arg.endsWith('.js') && !arg.endsWith('instrumentation.js'));
    if (!script) return undefined;
    const [top, service] = path.relative(distDir, script).split(path.sep);
    if (top === 'services') return service;
    return top === 'console' ? 'console' : path.basename(script, '.js');
  } catch {
    return undefined;
  }
}

interface TreeMemory {
  total: number;
  byProcess: Record<string, number>;
}

/** RSS and PSS of every process below `root`, from one walk of /proc. */
function treeMemory(root: number, label: (pid: number, name: string) => string): { rss: TreeMemory; pss: TreeMemory } {
  const rss: Record<string, number> = {};
  const pss: Record<string, number> = {};
  for (const [pid, name] of processTree(root)) {
    const key = label(pid, name);
    rss[key] = (rss[key] ?? 0) + rssMiB(pid);
    pss[key] = (pss[key] ?? 0) + pssMiB(pid);
  }
  const total = (byProcess: Record<string, number>) => Object.values(byProcess).reduce((a, b) => a + b, 0);
  return { rss: { total: total(rss), byProcess: rss }, pss: { total: total(pss), byProcess: pss } };
}

async function collectorCounters(): Promise<Record<string, number>> {
  const text = await (await fetch(`${URLS.collectorMetrics}/metrics`)).text();
  const totals: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const match =
      /^(otelcol_(?:receiver_(?:accepted|refused)_(?:spans|log_records)|processor_refused_\w+|exporter_send_failed_\w+))(?:_total)?(?:\{[^}]*\})?\s+([\d.e+-]+)$/.exec(
        line,
      );
    if (match) totals[match[1]!] = (totals[match[1]!] ?? 0) + Number(match[2]);
  }
  return totals;
}

const jaeger = jaegerClient(URLS.jaeger);
const victorialogs = victoriaLogsClient(URLS.victorialogs);
const jaegerTrace = (traceId: string) => jaeger.trace(traceId);

/** Complete: the gateway's and model-inference's server spans and the model.infer span are all in. */
function traceComplete(t: JaegerTrace | undefined): boolean {
  if (!t) return false;
  const servers = new Set(
    t.spans
      .filter((s) => s.tags.some((tag) => tag.key === 'span.kind' && tag.value === 'server'))
      .map((s) => t.processes[s.processID]?.serviceName),
  );
  return servers.has('gateway') && servers.has('model-inference') && t.spans.some((s) => s.operationName === 'model.infer');
}

const logLines = (traceId: string) => victorialogs.query(`trace_id:"${traceId}" "request completed"`);

/** Waits for `done`, polling every 50 ms; milliseconds from `since` until it held (Infinity: not within 30 s). */
async function timeUntil(since: number, done: () => Promise<boolean>, what: string): Promise<number> {
  try {
    await eventually(async () => (await done()) || undefined, { timeoutMs: 30_000, intervalMs: 50, what });
    return performance.now() - since;
  } catch {
    return Number.POSITIVE_INFINITY; // never arrived: the slowest of all in p95 and max (null in the JSON)
  }
}

export async function freshness(options: ServicesBenchOptions): Promise<Freshness> {
  const state = path.join(BENCH_DIR, 'stack');
  console.log('\nnative stack: starting (fresh state in .tracelab/bench/stack)…');
  // The runner in its own process, as `npm start` runs it, so its memory is counted like the backends'.
  const runner = await startProcess(
    {
      name: 'native stack',
      command: process.execPath,
      args: [path.join(distDir, 'tools', 'runner', 'serve-stack.js'), state],
      readyUrl: `${URLS.gateway}/readyz`,
    },
    { readyTimeoutMs: 300_000, onStderrLine: (line) => console.error(line) },
  );
  try {
    const label = (pid: number, name: string) => (pid === runner.pid ? 'runner' : (nodeScript(pid) ?? name));
    // Idle: give the just-started processes the time a user would, then read their memory.
    await new Promise((resolve) => setTimeout(resolve, 10_000));
    const { rss: idleRssMiB, pss: idlePssMiB } = treeMemory(runner.pid, label);
    console.log(
      `native stack idle: ${Math.round(idlePssMiB.total)} MiB PSS, ${Math.round(idleRssMiB.total)} MiB summed RSS (runner included)`,
    );

    const before = await collectorCounters();
    const probes: Promise<{ trace: number; logs: number; traceId: string }>[] = [];
    let loadedRssMiB = idleRssMiB;
    let loadedPssMiB = idlePssMiB;
    const sampler = setInterval(() => {
      const { rss, pss } = treeMemory(runner.pid, label);
      if (rss.total > loadedRssMiB.total) loadedRssMiB = rss;
      if (pss.total > loadedPssMiB.total) loadedPssMiB = pss;
    }, 1000);
    const seconds = Math.max(options.seconds * 2, 20);
    const loadDone = load(`${URLS.gateway}/v1/predict`, seconds, options.connections);
    // One probe a second while the load runs: its response, then its trace and its logs.
    for (let i = 0; i < seconds - 2; i++) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const response = await fetch(`${URLS.gateway}/v1/predict`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: BODY,
      });
      const { trace_id: traceId } = (await response.json()) as { trace_id: string };
      const answered = performance.now();
      probes.push(
        Promise.all([
          timeUntil(answered, async () => traceComplete(await jaegerTrace(traceId)), `trace ${traceId} complete in Jaeger`),
          timeUntil(
            answered,
            async () => new Set((await logLines(traceId)).map((l) => l['service.name'])).size === 2,
            `logs of ${traceId}`,
          ),
        ]).then(([trace, logs]) => ({ trace, logs, traceId })),
      );
    }
    const loadResult = await loadDone;
    clearInterval(sampler);
    const results = await Promise.all(probes);
    const complete = results.find((r) => Number.isFinite(r.trace) && Number.isFinite(r.logs)) ?? results[0]!;
    const spansPerRequest = (await jaegerTrace(complete.traceId))?.spans.length ?? 0;
    const logsPerRequest = (await logLines(complete.traceId)).length;
    const requests = loadResult.requests + results.length;
    // Everything sent must arrive: wait until the collector has accepted it all (or say what is missing).
    const expectedSpans = requests * spansPerRequest;
    let after = before;
    await eventually(
      async () => {
        after = await collectorCounters();
        return after.otelcol_receiver_accepted_spans! - before.otelcol_receiver_accepted_spans! >= expectedSpans || undefined;
      },
      { timeoutMs: 15_000, intervalMs: 500, what: 'the collector to accept every span' },
    ).catch(() => undefined);
    const delta = (key: string) => (after[key] ?? 0) - (before[key] ?? 0);
    const refused = Object.keys(after)
      .filter((k) => /refused|failed/.test(k))
      .reduce((sum, k) => sum + delta(k), 0);
    const stats = (samples: number[]) => ({
      p50: percentile(samples, 50),
      p95: percentile(samples, 95),
      max: Math.max(...samples),
      samples,
    });
    return {
      stateDir: state,
      idleRssMiB,
      idlePssMiB,
      loadedRssMiB,
      loadedPssMiB,
      load: loadResult,
      probes: results.length,
      traceCompleteMs: stats(results.map((r) => Math.round(r.trace))),
      logsQueryableMs: stats(results.map((r) => Math.round(r.logs))),
      delivery: {
        spansPerRequest,
        expectedSpans,
        acceptedSpans: delta('otelcol_receiver_accepted_spans'),
        // The access line of each service on the path; other lines (start-up, warnings) come on top.
        expectedLogs: requests * logsPerRequest,
        acceptedLogs: delta('otelcol_receiver_accepted_log_records'),
        refused,
      },
    };
  } finally {
    await runner.stop();
  }
}
