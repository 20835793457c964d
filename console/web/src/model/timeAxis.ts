// The waterfall's time axis: evenly spaced "nice" ticks (1, 2 or 5 × 10ⁿ ms) across a trace, and
// durations written the way people read them (µs, ms, s).

export interface Tick {
  ms: number;
  /** Position across the axis, 0-100. */
  pct: number;
  label: string;
}

export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '–';
  const abs = Math.abs(ms);
  if (abs === 0) return '0 ms';
  if (abs < 1) return `${trim(ms * 1000, abs * 1000 < 10 ? 1 : 0)} µs`;
  if (abs < 1000) return `${trim(ms, abs < 10 ? 2 : abs < 100 ? 1 : 0)} ms`;
  return `${trim(ms / 1000, abs < 10_000 ? 2 : 1)} s`;
}

function trim(value: number, digits: number): string {
  return Number(value.toFixed(digits)).toString();
}

/** The smallest 1/2/5 × 10ⁿ step that gives at most `maxTicks` intervals over `spanMs`. */
export function niceStep(spanMs: number, maxTicks: number): number {
  if (!(spanMs > 0) || maxTicks < 1) return 1;
  const rough = spanMs / maxTicks;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  for (const factor of [1, 2, 5, 10]) if (factor * magnitude >= rough) return factor * magnitude;
  return 10 * magnitude;
}

/** Ticks from 0 to `durationMs` (the trace's length); always includes 0. */
export function timeTicks(durationMs: number, maxTicks = 5): Tick[] {
  if (!(durationMs > 0)) return [{ ms: 0, pct: 0, label: '0 ms' }];
  const step = niceStep(durationMs, maxTicks);
  const ticks: Tick[] = [];
  // Integer multiples avoid drift from repeated float addition (0.1 + 0.2 …).
  for (let i = 0; i * step <= durationMs + step * 1e-9; i++) {
    const ms = i * step;
    ticks.push({ ms, pct: (ms / durationMs) * 100, label: formatDuration(ms) });
  }
  return ticks;
}
