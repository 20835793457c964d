// GET /api/diagnose's parameters: durations up to a day, a bounded service name, else a 400 message.
import { describe, expect, it } from 'vitest';
import { SETTLE_MS } from '../../../analysis/diagnosis/periods';
import { diagnoseRequest } from '../../../console/server/diagnose';

describe('the diagnose endpoint reads its parameters', () => {
  const now = 1_800_000_000_000;

  it('defaults to the last 5 minutes against the 30 before', () => {
    expect(diagnoseRequest({}, now)).toEqual({
      window: { fromMs: now - SETTLE_MS - 300_000, toMs: now - SETTLE_MS },
      baseline: { fromMs: now - SETTLE_MS - 300_000 - 1_800_000, toMs: now - SETTLE_MS - 300_000 },
    });
  });

  it('takes a service of any application', () => {
    expect(diagnoseRequest({ since: '1m', baseline: '10m', service: 'frontend.checkout-v2' }, now)).toMatchObject({
      service: 'frontend.checkout-v2',
    });
  });

  it.each([
    [{ since: 'yesterday' }, /since must be a duration/],
    [{ baseline: '0s' }, /baseline must be a duration/],
    [{ since: '2d' }, /up to 24h/],
    [{ service: 'a b' }, /service must be a service name/],
    [{ service: ['a', 'b'] }, /service must be/],
  ])('refuses %j', (query, message) => {
    expect(diagnoseRequest(query as Record<string, unknown>, now)).toMatch(message);
  });
});
