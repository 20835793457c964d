// The business rules the gateway falls back on: a small decision tree over the same features.
// Each leaf is a named rule, so the answer can say which rule fired (and metrics can count them).
import type { Features, Prediction } from '../../shared/features';

export const RULES_VERSION = 'rules-1.0.0';

export interface Decision {
  rule: string;
  prediction: Prediction;
  /** The churn likelihood the business assigns to this rule's customers. */
  score: number;
}

type Node = { test: (f: Features) => boolean; yes: Node; no: Node } | Decision;

const leaf = (rule: string, prediction: Prediction, score: number): Decision => ({ rule, prediction, score });

export const DECISION_TREE: Node = {
  test: (f) => f.support_tickets >= 5,
  yes: leaf('many_support_tickets', 'churn', 0.85),
  no: {
    test: (f) => f.tenure_months < 6,
    yes: {
      test: (f) => f.monthly_spend > 100,
      yes: leaf('new_customer_high_spend', 'churn', 0.7),
      no: leaf('new_customer', 'churn', 0.55),
    },
    no: {
      test: (f) => f.tenure_months >= 24,
      yes: {
        test: (f) => f.plan === 'enterprise',
        yes: leaf('loyal_enterprise', 'stay', 0.05),
        no: leaf('long_tenure', 'stay', 0.15),
      },
      no: leaf('default_stay', 'stay', 0.35),
    },
  },
};

export function decide(features: Features, node: Node = DECISION_TREE): Decision {
  return 'rule' in node ? node : decide(features, node.test(features) ? node.yes : node.no);
}

/** The typical customer, feature by feature: what the gateway compares a request with (enrichment). */
export const REFERENCE: Features = { tenure_months: 24, monthly_spend: 80, support_tickets: 1, plan: 'pro' };
