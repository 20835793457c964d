import { describe, expect, it } from 'vitest';
import { formatDuration, niceStep, timeTicks } from '../../../console/web/src/model/timeAxis';

describe('time axis', () => {
  it('picks 1, 2 or 5 × 10ⁿ steps', () => {
    expect(niceStep(412, 5)).toBe(100);
    expect(niceStep(1000, 5)).toBe(200);
    expect(niceStep(0.9, 5)).toBe(0.2);
    expect(niceStep(23_000, 6)).toBe(5000);
  });

  it('spans the trace from 0 without passing its end', () => {
    const ticks = timeTicks(412, 5);
    expect(ticks.map((t) => t.ms)).toEqual([0, 100, 200, 300, 400]);
    expect(ticks[1]!.pct).toBeCloseTo((100 / 412) * 100);
    expect(ticks.map((t) => t.label)).toEqual(['0 ms', '100 ms', '200 ms', '300 ms', '400 ms']);
    expect(timeTicks(0.3, 3).map((t) => t.label)).toEqual(['0 ms', '100 µs', '200 µs', '300 µs']);
    expect(timeTicks(0)).toEqual([{ ms: 0, pct: 0, label: '0 ms' }]);
  });

  it('writes durations the way people read them', () => {
    expect(formatDuration(0.0425)).toBe('43 µs');
    expect(formatDuration(0.0042)).toBe('4.2 µs');
    expect(formatDuration(3.14567)).toBe('3.15 ms');
    expect(formatDuration(250)).toBe('250 ms');
    expect(formatDuration(1234)).toBe('1.23 s');
    expect(formatDuration(Number.NaN)).toBe('–');
  });
});
