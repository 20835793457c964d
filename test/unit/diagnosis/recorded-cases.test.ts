// The diagnosis on real recorded data: every case `npm run bench:diagnose -- --record` kept (the
// traces, series and log lines one diagnosis read while a lab fault was on) is diagnosed again
// and must score at least as well as the accepted scores in expected.json, so a change that
// makes the diagnosis worse on any scenario fails here at once.
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { diagnose } from '../../../analysis/diagnosis';
import { type AcceptedScores, acceptedPath, noWorseThan } from '../../../tools/bench/diagnose-bench/accepted';
import { readCases } from '../../../tools/bench/diagnose-bench/cases';
import { scoreTrial } from '../../../tools/bench/diagnose-bench/score';
import { inRepo } from '../../support/repo';

const dir = inRepo('test', 'fixtures', 'diagnosis-cases');
const cases = readCases(dir);
const accepted = JSON.parse(fs.readFileSync(acceptedPath(dir), 'utf8')) as AcceptedScores;

describe('the diagnosis on the recorded cases', () => {
  it('has the recorded benchmark: every scenario, controls and pairs', () => {
    expect(cases.length).toBeGreaterThanOrEqual(70);
    expect(cases.filter((c) => c.plan.type === 'control').length).toBeGreaterThanOrEqual(6);
    expect(cases.filter((c) => c.plan.type === 'pair').length).toBeGreaterThanOrEqual(6);
    expect(Object.keys(accepted.trials).sort()).toEqual(cases.map((c) => c.plan.id).sort());
  });

  it.each(cases.map((c) => [c.plan.id, c] as const))('%s scores no worse than accepted', (id, recorded) => {
    const score = scoreTrial(recorded.plan, diagnose(recorded.input), recorded.elapsedMs);
    expect(noWorseThan(score, accepted.trials[id]!), `${id}: reported ${score.reported.join(', ') || 'nothing'}`).toEqual([]);
  });
});
