import { describe, expect, it } from 'vitest';
import { type Behaviour, sampleLatencyMs, sampleRandom, shouldFail } from '../../services/model-inference/src/behaviour';
import { KNOBS } from '../../services/model-inference/src/config';
import { predict, THRESHOLD } from '../../services/model-inference/src/model';
import { createRandom, logNormalFromMedianP99 } from '../../services/model-inference/src/rng';
import { defaultValues } from '../../services/shared/knobs';

const loyal = { tenure_months: 60, monthly_spend: 40, support_tickets: 0, plan: 'enterprise' } as const;
const unhappy = { tenure_months: 2, monthly_spend: 150, support_tickets: 6, plan: 'basic' } as const;

describe('the churn model', () => {
  it('scores an unhappy new customer as churn and a loyal one as stay', () => {
    expect(predict(unhappy)).toMatchObject({ prediction: 'churn' });
    expect(predict(loyal)).toMatchObject({ prediction: 'stay' });
    expect(predict(unhappy).score).toBeGreaterThan(0.9);
    expect(predict(loyal).score).toBeLessThan(0.05);
  });

  it('moves the score with each feature in the expected direction', () => {
    const base = { tenure_months: 12, monthly_spend: 60, support_tickets: 1, plan: 'pro' } as const;
    expect(predict({ ...base, support_tickets: 4 }).score).toBeGreaterThan(predict(base).score);
    expect(predict({ ...base, tenure_months: 36 }).score).toBeLessThan(predict(base).score);
    expect(predict({ ...base, plan: 'basic' }).score).toBeGreaterThan(predict({ ...base, plan: 'enterprise' }).score);
  });

  it('reports confidence as distance from the threshold', () => {
    const output = predict(unhappy);
    expect(output.confidence).toBeCloseTo(Math.abs(output.score - THRESHOLD) / THRESHOLD);
    expect(output.confidence).toBeGreaterThan(0);
    expect(output.confidence).toBeLessThanOrEqual(1);
  });
});

describe('the seeded random source', () => {
  it('replays the same sequence for the same seed', () => {
    const a = createRandom(7);
    const b = createRandom(7);
    const c = createRandom(8);
    const seqA = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(seqA);
    expect(Array.from({ length: 5 }, () => c.next())).not.toEqual(seqA);
    for (const x of seqA) expect(x >= 0 && x < 1).toBe(true);
  });

  it('draws log-normal latencies with the requested median and p99', () => {
    const random = createRandom(1);
    const samples = Array.from({ length: 20_000 }, () => logNormalFromMedianP99(random, 40, 180)).sort((x, y) => x - y);
    expect(samples[Math.floor(samples.length * 0.5)]).toBeGreaterThan(38);
    expect(samples[Math.floor(samples.length * 0.5)]).toBeLessThan(42);
    expect(samples[Math.floor(samples.length * 0.99)]).toBeGreaterThan(165);
    expect(samples[Math.floor(samples.length * 0.99)]).toBeLessThan(195);
  });
});

const behaviour: Behaviour = { ...defaultValues(KNOBS), error_rate: 0.25 };

describe('the model behaviour knobs', () => {
  it('fails at the configured error rate', () => {
    const random = createRandom(3);
    const failures = Array.from({ length: 10_000 }, () => shouldFail(behaviour, random)).filter(Boolean).length;
    expect(failures / 10_000).toBeGreaterThan(0.23);
    expect(failures / 10_000).toBeLessThan(0.27);
    expect(shouldFail({ ...behaviour, error_rate: 0 }, random)).toBe(false);
  });

  it('has no latency when the median is zero', () => {
    expect(sampleLatencyMs({ ...behaviour, latency_median_ms: 0 }, createRandom(1))).toBe(0);
  });

  it('draws /v1/random values from Normal(mean, stddev)', () => {
    const random = createRandom(5);
    const values = Array.from({ length: 20_000 }, () => sampleRandom(behaviour, random).value);
    const mean = values.reduce((s, v) => s + v, 0) / values.length;
    const stddev = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length);
    expect(mean).toBeGreaterThan(99.5);
    expect(mean).toBeLessThan(100.5);
    expect(stddev).toBeGreaterThan(14.5);
    expect(stddev).toBeLessThan(15.5);
  });
});
