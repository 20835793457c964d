// The random exercise (docs/lessons/random.md), checked as a learner runs it: `check random`
// re-seeds /v1/random, sends the documented traffic, and estimates both distributions from
// Prometheus's histograms; every estimate must land within 5 % of the truth.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkRandom, RANDOM_EXERCISE_REQUESTS, RANDOM_TOLERANCE } from '../../lab/random';
import { lab, resetAll } from './lab-support';

beforeAll(resetAll);
afterAll(resetAll);

describe('random', () => {
  it('recovers mean, stddev, median and p99 of the value and the delay within 5 % after the documented traffic', async () => {
    const report = await checkRandom(lab());
    console.log(report.text);
    expect(report.requests).toBe(RANDOM_EXERCISE_REQUESTS);
    expect(report.estimates).toHaveLength(8);
    for (const e of report.estimates)
      expect(e.error, `${e.variable} ${e.quantity}: ${e.estimate} vs ${e.truth}`).toBeLessThanOrEqual(RANDOM_TOLERANCE);
    expect(report.ok).toBe(true);
  });
});
