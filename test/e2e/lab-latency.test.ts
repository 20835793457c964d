// Fault lab, latency scenarios (docs/lessons/slow-fallback.md):
// each is turned on with the lab's own functions, driven with bounded traffic, and the evidence
// its lesson names is read back from Jaeger, Prometheus and VictoriaLogs; then reset, and the
// evidence is gone.
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { scenarioOn } from '../../lab/actions';
import { drive, lab, modelAnswersAgain, resetAll, whyTrace } from './lab-support';

beforeEach(resetAll);
afterAll(resetAll);

describe('slow-fallback', () => {
  it('makes the answers as slow as the rules while the model is down; reset makes them fast again', async () => {
    await scenarioOn('slow-fallback', undefined, lab());
    const answers = await drive(6, 2);
    for (const a of answers) {
      expect(a.body.source).toBe('fallback');
      expect(a.ms).toBeGreaterThanOrEqual(600);
    }
    // The trace: fallback-rules' server span is most of the gateway's, and the critical path's
    // largest piece is rules.evaluate (as `npm run why` reports it).
    const { trace, report } = await whyTrace(answers[answers.length - 1]!.traceId);
    const server = (service: string) => trace.spans.find((s) => s.service === service && s.kind === 'server')!;
    expect(server('fallback-rules').durationNs).toBeGreaterThan(0.8 * server('gateway').durationNs);
    expect(report.self_time[0]).toMatchObject({ service: 'fallback-rules', operation: 'rules.evaluate' });
    expect(report.self_time[0]!.critical_ms).toBeGreaterThanOrEqual(600);

    await resetAll();
    await modelAnswersAgain();
    const after = await drive(6, 2);
    expect(after.every((a) => a.body.source === 'model' && a.ms < 250)).toBe(true);
  });
});
