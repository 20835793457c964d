import { setTimeout as sleep } from 'node:timers/promises';
import { metrics, trace } from '@opentelemetry/api';
import type { Express } from 'express';
import { z } from 'zod';
import { addControlRoutes } from '../../shared/control';
import { type Features, featuresSchema } from '../../shared/features';
import { createBaseApp, finishApp, HttpError, methodNotAllowed, validateBody } from '../../shared/http';
import type { KnobStore } from '../../shared/knobs';
import type { Logger } from '../../shared/logger';
import type { KNOBS } from './config';
import { decide, REFERENCE, RULES_VERSION } from './rules';

export interface RulesDeps {
  logger: Logger;
  knobs: KnobStore<typeof KNOBS>;
  /** Bearer token for /v1/control; undefined disables it. */
  controlToken: string | undefined;
}

const tracer = trace.getTracer('fallback-rules');
const rulesFired = metrics.getMeter('fallback-rules').createCounter('tracelab.rules.fired', {
  description: 'Fallback decisions, by the rule that fired',
});

const decideBodySchema = z.strictObject({ features: featuresSchema });

const featureName = z.enum(Object.keys(REFERENCE) as [keyof Features, ...(keyof Features)[]]);
/** ?feature=a&feature=b: one or more distinct feature names (one name arrives as a string). */
const referenceQuerySchema = z.strictObject({
  feature: z.preprocess(
    (v) => (typeof v === 'string' ? [v] : v),
    z
      .array(featureName)
      .min(1)
      .refine((names) => new Set(names).size === names.length, 'each feature may be asked once'),
  ),
});

export function createApp({ logger, knobs, controlToken }: RulesDeps): Express {
  const app = createBaseApp(logger);
  app
    .route('/v1/decide')
    .post(validateBody(decideBodySchema), async (req, res) => {
      const { features } = req.body as { features: Features };
      const decision = await tracer.startActiveSpan('rules.evaluate', async (span) => {
        // The simulated rules store: a lookup that takes latency_ms (0 by default).
        if (knobs.values.latency_ms > 0) await sleep(knobs.values.latency_ms);
        const d = decide(features);
        span.setAttributes({ 'tracelab.rule': d.rule, 'tracelab.prediction': d.prediction, 'tracelab.plan': features.plan });
        span.end();
        return d;
      });
      rulesFired.add(1, { rule: decision.rule });
      logger.info({ rule: decision.rule, prediction: decision.prediction }, 'rule fired');
      res.json({ ...decision, rules_version: RULES_VERSION });
    })
    .all(methodNotAllowed(['POST']));
  // Reference values for enrichment: one lookup (lookup_latency_ms) answers any number of features.
  app
    .route('/v1/reference')
    .get(async (req, res, next) => {
      const parsed = referenceQuerySchema.safeParse(req.query);
      if (!parsed.success) {
        const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(query)'}: ${i.message}`).join('; ');
        next(
          new HttpError(400, 'invalid_request', `invalid query: ${problems}; ask ?feature=<name> for ${Object.keys(REFERENCE).join(', ')}`),
        );
        return;
      }
      if (knobs.values.lookup_latency_ms > 0) await sleep(knobs.values.lookup_latency_ms);
      res.json({ reference: Object.fromEntries(parsed.data.feature.map((name) => [name, REFERENCE[name]])) });
    })
    .all(methodNotAllowed(['GET']));

  addControlRoutes(app, { knobs, token: controlToken, logger });
  return finishApp(app, logger);
}
