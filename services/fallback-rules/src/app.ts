import { setTimeout as sleep } from 'node:timers/promises';
import { metrics, trace } from '@opentelemetry/api';
import type { Express } from 'express';
import { z } from 'zod';
import { addControlRoutes } from '../../shared/control';
import { type Features, featuresSchema } from '../../shared/features';
import { createBaseApp, finishApp, methodNotAllowed, validateBody } from '../../shared/http';
import type { KnobStore } from '../../shared/knobs';
import type { Logger } from '../../shared/logger';
import type { KNOBS } from './config';
import { decide, RULES_VERSION } from './rules';

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
  addControlRoutes(app, { knobs, token: controlToken, logger });
  return finishApp(app, logger);
}
