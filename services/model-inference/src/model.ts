// The "model": a fixed-weight logistic regression over the churn features. Real enough to give
// scores that move with the inputs; simple enough to read in one screen.
import type { Features, Prediction } from '../../shared/features';

export const WEIGHTS = {
  intercept: -1.2,
  tenure_months: -0.06,
  monthly_spend: 0.012,
  support_tickets: 0.45,
  plan: { basic: 0.4, pro: 0, enterprise: -0.8 },
} as const;

export const THRESHOLD = 0.5;

export interface ModelOutput {
  prediction: Prediction;
  /** Probability of churn, 0..1. */
  score: number;
  /** Distance from the decision threshold, 0 (coin flip) .. 1 (certain). */
  confidence: number;
}

export function predict(features: Features): ModelOutput {
  const z =
    WEIGHTS.intercept +
    WEIGHTS.tenure_months * features.tenure_months +
    WEIGHTS.monthly_spend * features.monthly_spend +
    WEIGHTS.support_tickets * features.support_tickets +
    WEIGHTS.plan[features.plan];
  const score = 1 / (1 + Math.exp(-z));
  return {
    prediction: score >= THRESHOLD ? 'churn' : 'stay',
    score,
    confidence: Math.abs(score - THRESHOLD) / THRESHOLD,
  };
}
