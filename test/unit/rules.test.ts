import { describe, expect, it } from 'vitest';
import { decide } from '../../services/fallback-rules/src/rules';
import type { Features } from '../../services/shared/features';

const base: Features = { tenure_months: 12, monthly_spend: 50, support_tickets: 0, plan: 'pro' };

describe('the fallback decision tree', () => {
  const cases: [string, Partial<Features>, 'churn' | 'stay'][] = [
    ['many_support_tickets', { support_tickets: 5, tenure_months: 60, plan: 'enterprise' }, 'churn'],
    ['new_customer_high_spend', { tenure_months: 2, monthly_spend: 150 }, 'churn'],
    ['new_customer', { tenure_months: 2, monthly_spend: 30 }, 'churn'],
    ['loyal_enterprise', { tenure_months: 30, plan: 'enterprise' }, 'stay'],
    ['long_tenure', { tenure_months: 30, plan: 'basic' }, 'stay'],
    ['default_stay', {}, 'stay'],
  ];
  for (const [rule, overrides, prediction] of cases) {
    it(`fires ${rule}`, () => {
      const decision = decide({ ...base, ...overrides });
      expect(decision.rule).toBe(rule);
      expect(decision.prediction).toBe(prediction);
      expect(decision.score).toBeGreaterThanOrEqual(0);
      expect(decision.score).toBeLessThanOrEqual(1);
    });
  }

  it('uses boundaries as documented: 5 tickets and 6 months are the thresholds', () => {
    expect(decide({ ...base, support_tickets: 4 }).rule).not.toBe('many_support_tickets');
    expect(decide({ ...base, tenure_months: 6 }).rule).toBe('default_stay');
    expect(decide({ ...base, tenure_months: 5 }).rule).toBe('new_customer');
  });
});
