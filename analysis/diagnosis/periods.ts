// The periods a diagnosis compares when asked for "the last 5 minutes against the 30 before":
// shared by the CLI and the console's endpoint, so both read the same window.
import type { TimeRange } from './types';

/** Spans reach Jaeger about 5 s after a request: a window ending "now" ends this much earlier, so its traces are whole. */
export const SETTLE_MS = 10_000;

/** "5m" → milliseconds (ms, s, m, h, d); undefined when the text is not such a duration. */
export function durationMs(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(text.trim());
  if (!match) return undefined;
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as 'ms' | 's' | 'm' | 'h' | 'd'];
  return Number(match[1]) * unit;
}

/** The last `sinceMs` up to SETTLE_MS ago, and the `baselineMs` just before it. */
export function recentPeriods(sinceMs: number, baselineMs: number, now = Date.now()): { window: TimeRange; baseline: TimeRange } {
  const window = { fromMs: now - SETTLE_MS - sinceMs, toMs: now - SETTLE_MS };
  return { window, baseline: { fromMs: window.fromMs - baselineMs, toMs: window.fromMs } };
}
