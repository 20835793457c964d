import { metrics, trace } from '@opentelemetry/api';
import type { Express } from 'express';
import { z } from 'zod';
import { type Features, featuresSchema } from '../../shared/features';
import { createBaseApp, finishApp, methodNotAllowed, validateBody } from '../../shared/http';
import type { Logger } from '../../shared/logger';
import { decide, RULES_VERSION } from './rules';

export interface RulesDeps {
  logger: Logger;
}

const tracer = trace.getTracer('fallback-rules');
const rulesFired = metrics.getMeter('fallback-rules').createCounter('tracelab.rules.fired', {
  description: 'Fallback decisions, by the rule that fired',
});

const decideBodySchema = z.strictObject({ features: featuresSchema });

export function createApp({ logger }: RulesDeps): Express {
  const app = createBaseApp(logger);
  app
    .route('/v1/decide')
    .post(validateBody(decideBodySchema), (req, res) => {
      const { features } = req.body as { features: Features };
      const decision = tracer.startActiveSpan('rules.evaluate', (span) => {
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
  return finishApp(app, logger);
}
