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

/**
 * Version 2, the bad deploy: a retrained model whose intercept came out 1.6 higher, so every
 * customer looks likelier to churn. Same inputs, shifted scores.
 */
export const V2_VERSION = 'churn-lr-2.0.0';
export const WEIGHTS_V2: Weights = { ...WEIGHTS, intercept: WEIGHTS.intercept + 1.6 };

export const THRESHOLD = 0.5;

export interface ModelOutput {
  prediction: Prediction;
  /** Probability of churn, 0..1. */
  score: number;
  /** Distance from the decision threshold, 0 (coin flip) .. 1 (certain). */
  confidence: number;
}

export interface Weights {
  intercept: number;
  tenure_months: number;
  monthly_spend: number;
  support_tickets: number;
  plan: Record<Features['plan'], number>;
}

export function predict(features: Features, weights: Weights = WEIGHTS): ModelOutput {
  const z =
    weights.intercept +
    weights.tenure_months * features.tenure_months +
    weights.monthly_spend * features.monthly_spend +
    weights.support_tickets * features.support_tickets +
    weights.plan[features.plan];
  const score = 1 / (1 + Math.exp(-z));
  return {
    prediction: score >= THRESHOLD ? 'churn' : 'stay',
    score,
    confidence: Math.abs(score - THRESHOLD) / THRESHOLD,
  };
}
