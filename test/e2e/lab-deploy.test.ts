// Fault lab, bad-deploy (docs/lessons/bad-deploy.md): model version 2 takes half the traffic and
// scores the same customers higher; the per-version answers, the version-drift recording rule
// and its alert show it. After the reset only version 1 answers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scenarioOn } from '../../lab/actions';
import { alertState, customers, drive, during, lab, modelAnswersAgain, overPhase, promNumber, resetAll } from './lab-support';
import { eventually, promQuery } from './support';

beforeAll(resetAll);
afterAll(resetAll);

const V1 = 'churn-lr-1.0.0';
const V2 = 'churn-lr-2.0.0';
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('bad-deploy', () => {
  it('serves half the predictions from version 2, whose scores shift: version drift and its alert; reset serves version 1 only', async () => {
    await scenarioOn('bad-deploy', undefined, lab());
    const answers = await drive(300, 8, customers(10));
    const fromModel = answers.filter((a) => a.body.source === 'model');
    const scores = (version: string) => fromModel.filter((a) => a.body.model_version === version).map((a) => a.body.score as number);
    expect(scores(V2).length).toBeGreaterThan(100);
    expect(scores(V1).length).toBeGreaterThan(100);
    // The same customers (a seeded mix), scored higher by version 2.
    expect(mean(scores(V2))).toBeGreaterThan(mean(scores(V1)) + 0.15);

    // The recording rule works on rates over the last minute: keep a trickle of the same mix
    // flowing while waiting, so the evidence does not fade before a rule evaluation sees it.
    const psi = await eventually(
      async () => {
        await drive(20, 4, customers(10));
        const [v2] = await promQuery(`tracelab:model_score:psi_version_vs_others{model_version="${V2}"}`);
        return v2 && Number(v2.value[1]) > 0.25 ? Number(v2.value[1]) : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 1000, what: 'version drift above 0.25 in the recording rule' },
    );
    expect(psi).toBeGreaterThan(0.25);
    await eventually(
      async () => {
        await drive(20, 4, customers(10));
        return (await alertState('ModelVersionScoreShift')) === 'firing' ? true : undefined;
      },
      {
        timeoutMs: 90_000,
        intervalMs: 1000,
        what: 'ModelVersionScoreShift firing',
      },
    );

    await resetAll();
    await modelAnswersAgain();
    const metric = 'tracelab_model_predictions_total';
    const { start, end, result } = await overPhase([`${metric}{job="model-inference"}`], () => drive(60, 4, customers(11)));
    // On two busy cores a call may still miss its 250 ms budget (a fallback answer): every answer the
    // model gave is version 1's, and model-inference counted only version 1 (each call it served).
    const modelAnswers = result.filter((a) => a.body.source === 'model');
    expect(modelAnswers.length).toBeGreaterThan(45);
    expect(modelAnswers.every((a) => a.body.model_version === V1)).toBe(true);
    expect(await promNumber(during(`${metric}{model_version="${V2}"}`, start, end))).toBe(0);
    expect(await promNumber(during(`${metric}{model_version="${V1}"}`, start, end))).toBeGreaterThanOrEqual(modelAnswers.length);
  }, 300_000);
});
