// A 5,000-span trace. The target (analysis under 200 ms) is measured and printed, not asserted:
// speed is checked by reading numbers, not by timed tests that fail on a busy machine.
import { describe, expect, it } from 'vitest';
import { analyzeTrace, normalizeJaegerTrace } from '../../../analysis';
import { renderReport } from '../../../analysis/text';
import { otlpJson, type SpanSpec } from './fixtures';

/** Deterministic pseudo-random numbers (mulberry32). */
function seeded(seed: number) {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function bigTrace(count: number): SpanSpec[] {
  const random = seeded(42);
  const kinds = ['internal', 'client', 'server', 'producer', 'consumer'] as const;
  const specs: SpanSpec[] = [{ id: 's0', service: 'svc0', start: 0, end: 10_000 }];
  for (let i = 1; i < count; i++) {
    const parent = specs[Math.floor(random() * specs.length)]!;
    const start = parent.start + random() * (parent.end - parent.start);
    // Mostly inside the parent; one in ten runs past it.
    const end = random() < 0.1 ? start + random() * 2000 : start + random() * (parent.end - start);
    specs.push({
      id: `s${i}`,
      parent: parent.id,
      service: `svc${i % 12}`,
      name: `op${i % 40}`,
      kind: kinds[i % kinds.length],
      start,
      end,
      ...(i % 97 === 0 ? { error: 'boom' } : {}),
    });
  }
  return specs;
}

describe('a 5,000-span trace', () => {
  it('is analysed whole (critical path tiles the root, shares sum to 1) and its time is printed', () => {
    const json = otlpJson(bigTrace(5000));
    const runs: number[] = [];
    let report!: ReturnType<typeof analyzeTrace>;
    for (let run = 0; run < 11; run++) {
      const started = performance.now();
      report = analyzeTrace(normalizeJaegerTrace(json));
      runs.push(performance.now() - started);
    }
    const render = performance.now();
    renderReport(report);
    const renderMs = performance.now() - render;
    const first = runs[0]!;
    const sorted = [...runs].sort((a, b) => a - b);
    console.log(
      `[why] 5,000-span trace, normalize + analyze (target < 200 ms): first run ${first.toFixed(1)} ms, median of 11 ${sorted[5]!.toFixed(1)} ms (min ${sorted[0]!.toFixed(1)}, max ${sorted[10]!.toFixed(1)}); text render ${renderMs.toFixed(1)} ms`,
    );
    expect(report.span_count).toBe(5000);
    expect(report.critical_path_ms).toBeCloseTo(10_000, 3);
    expect(report.self_time.reduce((sum, row) => sum + row.share, 0)).toBeCloseTo(1, 3);
  });

  it('a 5,000-deep chain does not overflow the stack', () => {
    const specs: SpanSpec[] = Array.from({ length: 5000 }, (_, i) => ({
      id: `d${i}`,
      ...(i ? { parent: `d${i - 1}` } : {}),
      start: i,
      end: 20_000 - i,
    }));
    const report = analyzeTrace(normalizeJaegerTrace(otlpJson(specs)));
    expect(report.critical_path).toHaveLength(2 * 5000 - 1);
    expect(report.spans.at(-1)!.depth).toBe(4999);
  });
});
