// The gateway's decision: ask the model within its budget; if it is slow, failing or its circuit
// is open, ask the business rules and say why. No HTTP here: clients and policy are injected.
import { metrics, trace } from '@opentelemetry/api';
import type { Features, Prediction } from '../../shared/features';
import type { Logger } from '../../shared/logger';
import type { ModelClient, RulesClient } from './clients';
import type { FallbackReason, ModelCallPolicy } from './fallback-policy';

export interface PredictionResult {
  prediction: Prediction;
  score: number;
  source: 'model' | 'fallback';
  model_version: string;
  fallback_reason?: FallbackReason;
  rule?: string;
}

/** Neither the model nor the rules could answer. */
export class NoDecisionError extends Error {}

const tracer = trace.getTracer('gateway');
const meter = metrics.getMeter('gateway');
const predictions = meter.createCounter('tracelab.gateway.predictions', { description: 'Predictions answered, by source and outcome' });
const modelRetries = meter.createCounter('tracelab.gateway.model_retries', { description: 'Model calls repeated after an error answer' });
const fallbacks = meter.createCounter('tracelab.fallback.invocations', {
  description: 'Times the gateway used the business rules, by reason',
});

export type EnrichMode = 'off' | 'batched' | 'per_feature';

export interface PredictorDeps {
  model: ModelClient;
  rules: RulesClient;
  policy: ModelCallPolicy;
  logger: Logger;
  /** Budget for the fallback call itself, read at each call (a runtime knob). */
  fallbackTimeoutMs: () => number;
  /** How to look up the reference values before predicting, read at each call. */
  enrichMode: () => EnrichMode;
}

const FEATURE_NAMES = ['tenure_months', 'monthly_spend', 'support_tickets', 'plan'] as const;
const ENRICH_TIMEOUT_MS = 1000;

/**
 * Enrichment: how many of the request's features lie above the typical customer's, from the
 * reference values of fallback-rules. Batched: one call for all features; per_feature: one call
 * per feature, one after another (an N+1). Best effort: a failure only leaves it out.
 */
async function enrich(rules: RulesClient, features: Features, mode: EnrichMode, logger: Logger): Promise<void> {
  await tracer.startActiveSpan('gateway.enrich', { attributes: { 'tracelab.enrich.mode': mode } }, async (span) => {
    try {
      const signal = AbortSignal.timeout(ENRICH_TIMEOUT_MS);
      const reference: Record<string, number | string> = {};
      if (mode === 'batched') Object.assign(reference, (await rules.reference(FEATURE_NAMES, signal)).reference);
      else for (const name of FEATURE_NAMES) Object.assign(reference, (await rules.reference([name], signal)).reference);
      const above = FEATURE_NAMES.filter(
        (name) => typeof reference[name] === 'number' && (features[name] as number) > (reference[name] as number),
      );
      span.setAttribute('tracelab.enrich.above_reference', above.length);
    } catch (error) {
      span.recordException(error as Error);
      logger.warn({ cause: String(error) }, 'enrichment failed; predicting without it');
    } finally {
      span.end();
    }
  });
}

export function createPredictor({ model, rules, policy, logger, fallbackTimeoutMs, enrichMode }: PredictorDeps) {
  return async function predictChurn(features: Features): Promise<PredictionResult> {
    const mode = enrichMode();
    if (mode !== 'off') await enrich(rules, features, mode, logger);
    const attempt = await policy.execute((signal) => model.predict(features, signal));
    trace.getActiveSpan()?.setAttribute('tracelab.model.attempts', attempt.attempts);
    if (attempt.attempts > 1) modelRetries.add(attempt.attempts - 1);
    if (attempt.ok) {
      const { prediction, score, model_version } = attempt.value;
      predictions.add(1, { source: 'model', prediction });
      trace.getActiveSpan()?.setAttributes({ 'tracelab.source': 'model', 'tracelab.prediction': prediction });
      return { prediction, score, source: 'model', model_version };
    }

    const reason = attempt.reason;
    return tracer.startActiveSpan('fallback.decide', { attributes: { 'tracelab.fallback.reason': reason } }, async (span) => {
      try {
        fallbacks.add(1, { reason });
        logger.warn({ reason, circuit: policy.circuitState, cause: String(attempt.error) }, 'model unavailable, using fallback rules');
        const decision = await rules.decide(features, AbortSignal.timeout(fallbackTimeoutMs())).catch((error: unknown) => {
          span.recordException(error as Error);
          throw new NoDecisionError(`model (${reason}) and fallback rules (${String(error)}) both failed`);
        });
        span.setAttributes({ 'tracelab.rule': decision.rule, 'tracelab.prediction': decision.prediction });
        trace.getActiveSpan()?.setAttributes({ 'tracelab.source': 'fallback' });
        predictions.add(1, { source: 'fallback', prediction: decision.prediction });
        return {
          prediction: decision.prediction,
          score: decision.score,
          source: 'fallback' as const,
          model_version: decision.rules_version,
          fallback_reason: reason,
          rule: decision.rule,
        };
      } finally {
        span.end();
      }
    });
  };
}

export type Predictor = ReturnType<typeof createPredictor>;
