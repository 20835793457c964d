// The collector benchmark's summaries: medians per variant, throughput per core, memory per
// trace held (a straight-line fit), and a capacity example.
import { group, median, printMarkdown } from '../stats';
import { configWaitS, MiB, memoryLimiter, RESOURCE_ATTRIBUTES, softLimitMiB, type Variant } from './config';
import type { Run } from './measure';
import type { CollectorBenchOptions } from './options';

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

export type Summary = { variant: Variant; runs: Run[] } & Record<NumericKey, number>;
type NumericKey = {
  [K in keyof Run]: Run[K] extends number ? (K extends 'round' ? never : K) : never;
}[keyof Run];

export function summarise(list: Variant[], runs: Run[]): Summary[] {
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

/** Throughput per core, side by side: a row per measure, a column per variant at the configured decision_wait. */
export function printThroughput(summaries: Summary[]): void {
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
export function printMemoryTable(options: CollectorBenchOptions, summaries: Summary[]): void {
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

export interface MemoryFits {
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

export function memoryFits(options: CollectorBenchOptions, runs: Run[], list: Variant[]): MemoryFits {
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

export function printMemory(options: CollectorBenchOptions, fits: MemoryFits): void {
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

export function printPlan(options: CollectorBenchOptions, summaries: Summary[], fits: MemoryFits): void {
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
