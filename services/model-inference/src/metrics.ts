// Model metrics: what the model saw (inputs, for drift), what it said (scores, predictions) and
// the /v1/random exercise. Buckets are fine enough to recover the distributions from Prometheus.
import { metrics } from '@opentelemetry/api';
import type { Features, Prediction } from '../../shared/features';

const meter = metrics.getMeter('model-inference');

/** Bucket bounds of score and confidence; the version-drift rules (prometheus/rules) use some of them. */
export const UNIT_BUCKETS = Array.from({ length: 19 }, (_, i) => Number(((i + 1) * 0.05).toFixed(2)));

const score = meter.createHistogram('tracelab.model.score', {
  description: 'Churn probability produced by the model',
  advice: { explicitBucketBoundaries: UNIT_BUCKETS },
});
const confidence = meter.createHistogram('tracelab.model.confidence', {
  description: 'Distance of the score from the decision threshold (0..1)',
  advice: { explicitBucketBoundaries: UNIT_BUCKETS },
});
const predictions = meter.createCounter('tracelab.model.predictions', { description: 'Predictions served, by outcome and model version' });
/** Bucket bounds of the numeric inputs; the drift recording rules (prometheus/rules) use them too. */
export const FEATURE_BUCKETS = {
  tenure_months: [3, 6, 12, 24, 36, 48, 60, 84, 120],
  monthly_spend: [10, 25, 50, 75, 100, 150, 200, 300, 500],
  support_tickets: [0, 1, 2, 3, 5, 8, 13],
};
const inputs = {
  tenure_months: meter.createHistogram('tracelab.model.input.tenure_months', {
    description: 'Input feature: customer tenure in months',
    advice: { explicitBucketBoundaries: FEATURE_BUCKETS.tenure_months },
  }),
  monthly_spend: meter.createHistogram('tracelab.model.input.monthly_spend', {
    description: 'Input feature: monthly spend',
    advice: { explicitBucketBoundaries: FEATURE_BUCKETS.monthly_spend },
  }),
  support_tickets: meter.createHistogram('tracelab.model.input.support_tickets', {
    description: 'Input feature: support tickets in the last quarter',
    advice: { explicitBucketBoundaries: FEATURE_BUCKETS.support_tickets },
  }),
};
const plans = meter.createCounter('tracelab.model.input.plan', { description: 'Input feature: plan, counted per value' });

const randomValue = meter.createHistogram('tracelab.random.value', {
  description: '/v1/random values (Normal by default): recover mean and stddev from the buckets',
  advice: { explicitBucketBoundaries: Array.from({ length: 41 }, (_, i) => 40 + i * 3) },
});
const randomDelay = meter.createHistogram('tracelab.random.delay', {
  description: '/v1/random delay before answering (log-normal by default)',
  unit: 's',
  advice: { explicitBucketBoundaries: [0.01, 0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1, 1.5, 2, 3, 5] },
});

export function recordPrediction(features: Features, prediction: Prediction, s: number, c: number, modelVersion: string): void {
  const attributes = { model_version: modelVersion };
  score.record(s, attributes);
  confidence.record(c, attributes);
  predictions.add(1, { ...attributes, prediction });
  inputs.tenure_months.record(features.tenure_months, attributes);
  inputs.monthly_spend.record(features.monthly_spend, attributes);
  inputs.support_tickets.record(features.support_tickets, attributes);
  plans.add(1, { ...attributes, plan: features.plan });
}

export function recordRandom(value: number, delayMs: number): void {
  randomValue.record(value);
  randomDelay.record(delayMs / 1000);
}
