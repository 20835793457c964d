// The services benchmark's summaries: medians per scenario and mode, each mode against pure,
// the table and the goals of docs/performance.md.
import { entryPointsFirst } from '../../../services/registry';
import { fixed, type Goal, median } from '../stats';
import type { Freshness } from './freshness';
import type { Run } from './run';

/** The services, entry point first, for the table's columns. */
const SERVICES = entryPointsFirst();

export interface Summary {
  scenario: string;
  mode: string;
  runs: number;
  requestsPerSecond: number;
  /** Lowest and highest req/s of the runs: the noise. */
  requestsPerSecondRange: [number, number];
  p50: number;
  p99: number;
  meanMs: number;
  /** p50 of requests sent one at a time (no queue). */
  unqueuedP50: number;
  cpuMsPerRequest: Record<string, number>;
  rssMiB: Record<string, number>;
  exportedBytesPerRequest: Record<string, number>;
  failures: number;
  vsPure?: {
    throughput: number;
    addedCpuMsPerRequest: number;
    addedP50Ms: number;
    addedUnqueuedP50Ms: number;
    addedRssMiB: Record<string, number>;
  };
}

export function summarise(runs: Run[]): Summary[] {
  const groups = new Map<string, Run[]>();
  for (const run of runs) groups.set(`${run.scenario}\u0000${run.mode}`, [...(groups.get(`${run.scenario}\u0000${run.mode}`) ?? []), run]);
  const summaries: Summary[] = [];
  for (const group of groups.values()) {
    const pick = (f: (r: Run) => number) => median(group.map(f));
    const keys = (f: (r: Run) => Record<string, number>) => [...new Set(group.flatMap((r) => Object.keys(f(r))))];
    const perKey = (f: (r: Run) => Record<string, number>) => Object.fromEntries(keys(f).map((k) => [k, pick((r) => f(r)[k] ?? 0)]));
    const rps = group.map((r) => r.requestsPerSecond);
    summaries.push({
      scenario: group[0]!.scenario,
      mode: group[0]!.mode,
      runs: group.length,
      requestsPerSecond: median(rps),
      requestsPerSecondRange: [Math.min(...rps), Math.max(...rps)],
      p50: pick((r) => r.p50),
      p99: pick((r) => r.p99),
      meanMs: pick((r) => r.meanMs),
      unqueuedP50: pick((r) => r.unqueued.p50),
      cpuMsPerRequest: perKey((r) => r.cpuMsPerRequest),
      rssMiB: perKey((r) => r.rssMiB),
      exportedBytesPerRequest: perKey((r) => r.exportedBytesPerRequest),
      failures: group.reduce((sum, r) => sum + r.failures, 0),
    });
  }
  for (const s of summaries) {
    const pure = summaries.find((p) => p.scenario === s.scenario && p.mode === 'pure');
    if (!pure || s === pure) continue;
    s.vsPure = {
      throughput: s.requestsPerSecond / pure.requestsPerSecond,
      addedCpuMsPerRequest: s.cpuMsPerRequest.total! - pure.cpuMsPerRequest.total!,
      addedP50Ms: s.p50 - pure.p50,
      addedUnqueuedP50Ms: s.unqueuedP50 - pure.unqueuedP50,
      addedRssMiB: Object.fromEntries(Object.entries(s.rssMiB).map(([k, v]) => [k, v - (pure.rssMiB[k] ?? 0)])),
    };
  }
  return summaries;
}

export function printSummaries(summaries: Summary[]): void {
  console.table(
    summaries.map((s) => ({
      scenario: s.scenario,
      mode: s.mode,
      'req/s': Math.round(s.requestsPerSecond),
      'req/s range': `${Math.round(s.requestsPerSecondRange[0])}–${Math.round(s.requestsPerSecondRange[1])}`,
      '% of pure': s.vsPure ? `${fixed(s.vsPure.throughput * 100, 0)}%` : '',
      'p50 ms': s.p50,
      'p99 ms': s.p99,
      'p50 1-by-1 ms': fixed(s.unqueuedP50, 2),
      ...Object.fromEntries(SERVICES.map((name) => [`CPU ms/req ${name}`, fixed(s.cpuMsPerRequest[name] ?? 0, 3)])),
      total: fixed(s.cpuMsPerRequest.total ?? 0, 3),
      'added CPU': s.vsPure ? fixed(s.vsPure.addedCpuMsPerRequest, 3) : '',
      [`RSS MiB ${SERVICES.join('/')}`]: SERVICES.map((k) => Math.round(s.rssMiB[k] ?? 0)).join('/'),
      'OTLP B/req': Math.round(
        (s.exportedBytesPerRequest.trace ?? 0) + (s.exportedBytesPerRequest.log ?? 0) + (s.exportedBytesPerRequest.metric ?? 0),
      ),
      failures: s.failures,
    })),
  );
}

export function goalChecks(summaries: Summary[], fresh: Freshness | undefined): Goal[] {
  const goals: Goal[] = [];
  const instrumented = summaries.find((s) => s.scenario === 'model path' && s.mode === 'instrumented');
  if (instrumented?.vsPure) {
    const v = instrumented.vsPure;
    goals.push({ goal: 'instrumented ≥ 80 % of pure throughput', measured: `${fixed(v.throughput * 100, 0)} %`, met: v.throughput >= 0.8 });
    goals.push({
      goal: 'added CPU ≤ 0.25 ms/request (3 services)',
      measured: `${fixed(v.addedCpuMsPerRequest, 3)} ms`,
      met: v.addedCpuMsPerRequest <= 0.25,
    });
    goals.push({
      goal: 'p50 added ≤ 1 ms (requests one at a time)',
      measured: `${fixed(v.addedUnqueuedP50Ms, 2)} ms (under the saturating load, where p50 is the queue: ${fixed(v.addedP50Ms, 1)} ms)`,
      met: v.addedUnqueuedP50Ms <= 1,
    });
    const worst = Math.max(...Object.values(v.addedRssMiB));
    goals.push({ goal: 'RSS within 40 MiB of pure (each service)', measured: `+${fixed(worst, 0)} MiB at most`, met: worst <= 40 });
  }
  if (fresh) {
    goals.push({
      goal: 'trace complete in Jaeger p95 ≤ 1 s',
      measured: `${fresh.traceCompleteMs.p95} ms`,
      met: fresh.traceCompleteMs.p95 <= 1000,
    });
    goals.push({ goal: 'logs queryable p95 ≤ 1 s', measured: `${fresh.logsQueryableMs.p95} ms`, met: fresh.logsQueryableMs.p95 <= 1000 });
    goals.push({
      goal: 'native stack idle ≤ 600 MiB',
      // Summed RSS counts the Node binary's shared pages once per Node process; PSS counts each page once.
      measured: `${Math.round(fresh.idlePssMiB.total)} MiB PSS (summed RSS ${Math.round(fresh.idleRssMiB.total)} MiB)`,
      met: fresh.idlePssMiB.total <= 600,
    });
    const d = fresh.delivery;
    goals.push({
      goal: 'nothing dropped under load',
      measured: `${d.acceptedSpans}/${d.expectedSpans} spans, refused or failed ${d.refused}`,
      met: d.acceptedSpans >= d.expectedSpans && d.refused === 0,
    });
  }
  return goals;
}
