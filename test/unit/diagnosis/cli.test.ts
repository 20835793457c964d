// npm run diagnose's option handling and output shapes (tools/diagnose.ts).
import { describe, expect, it } from 'vitest';
import { diagnose } from '../../../analysis/diagnosis';
import { jsonOf, periodsOf, renderDiagnosis } from '../../../tools/cli/diagnose';
import { shopInput } from './builder';

const NOW = Date.UTC(2026, 11, 2, 12, 0, 0);

describe('npm run diagnose', () => {
  it('takes the last --since up to 10 s ago as the window, and the --baseline before it', () => {
    expect(periodsOf({ since: '5m', baseline: '30m' }, NOW)).toEqual({
      window: { fromMs: NOW - 310_000, toMs: NOW - 10_000 },
      baseline: { fromMs: NOW - 2_110_000, toMs: NOW - 310_000 },
    });
    expect(
      periodsOf({
        from: '2026-12-02T11:00:00Z',
        to: String(NOW),
        'baseline-from': '2026-12-02T10:00:00Z',
        'baseline-to': '2026-12-02T10:30:00Z',
      }),
    ).toEqual({
      window: { fromMs: NOW - 3_600_000, toMs: NOW },
      baseline: { fromMs: NOW - 7_200_000, toMs: NOW - 5_400_000 },
    });
  });

  it.each([
    [{ since: '5x' }, /--since "5x" is not a duration/],
    [{ since: '5m', from: '1' }, /--since or --from\/--to, not both/],
    [{ from: String(NOW) }, /--from and --to go together/],
    [{ from: 'yesterday', to: String(NOW) }, /--from "yesterday" is not a time/],
    [{ from: String(NOW), to: String(NOW - 1) }, /the window must start before it ends/],
    [{ since: '5m', 'baseline-from': String(NOW - 60_000), 'baseline-to': String(NOW) }, /the baseline must end before the window starts/],
  ])('refuses %j in one line', (values, message) => {
    expect(() => periodsOf(values, NOW)).toThrow(message);
  });

  it('prints --json in the documented shape, and text with compare links', () => {
    const diagnosis = diagnose(shopInput({ mysqlMs: 60 }));
    const json = jsonOf(diagnosis);
    expect(Object.keys(json)).toEqual(['window', 'baseline', 'status', 'hypotheses']);
    expect(Object.keys(json.hypotheses[0]!)).toEqual(['rank', 'kind', 'service', 'operation', 'confidence', 'summary', 'evidence']);
    expect(Object.keys(json.hypotheses[0]!.evidence)).toEqual(['traces', 'queries', 'logs']);
    const pair = json.hypotheses[0]!.evidence.traces[0]!;
    expect(renderDiagnosis(diagnosis, 'http://127.0.0.1:8090')).toContain(
      `traces  http://127.0.0.1:8090/trace/${pair.trace_id}/vs/${pair.baseline_trace_id}`,
    );
    expect(renderDiagnosis(diagnose(shopInput({})), 'http://c')).toMatch(/healthy: no hypothesis at confidence ≥ 0.5$/);
  });
});
