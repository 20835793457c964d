import { context, trace } from '@opentelemetry/api';
import type { Express } from 'express';
import { z } from 'zod';
import { addControlRoutes } from '../../shared/control';
import { type Features, featuresSchema } from '../../shared/features';
import { createBaseApp, finishApp, HttpError, methodNotAllowed, validateBody } from '../../shared/http';
import type { KnobStore } from '../../shared/knobs';
import type { Logger } from '../../shared/logger';
import type { ModelClient } from './clients';
import type { KNOBS } from './config';
import { NoDecisionError, type PredictionResult, type Predictor } from './predictor';

/** Where each answer goes as a prediction event (an EventPublisher, or a test's recorder). */
export type PredictionEvents = (features: Features, result: PredictionResult, parent: ReturnType<typeof context.active>) => void;

export interface GatewayDeps {
  logger: Logger;
  predict: Predictor;
  model: ModelClient;
  /** Reports whether each dependency answers its health check. */
  checkDependencies: () => Promise<Record<string, boolean>>;
  randomTimeoutMs: number;
  knobs: KnobStore<typeof KNOBS>;
  /** Bearer token for /v1/control; undefined disables it. */
  controlToken: string | undefined;
  /** Called once each answer has been sent: never delays it. */
  predictionEvents: PredictionEvents;
}

/** customer_id is accepted and validated but never logged, traced or used as a metric label. */
const predictBodySchema = z.strictObject({
  customer_id: z.string().min(1).max(128),
  features: featuresSchema,
});

export function createApp(deps: GatewayDeps): Express {
  const { logger, predict, model } = deps;
  const app = createBaseApp(logger);

  app
    .route('/v1/predict')
    .post(validateBody(predictBodySchema), async (req, res, next) => {
      const { features } = req.body as { features: Features };
      try {
        const result = await predict(features);
        const traceId = trace.getActiveSpan()?.spanContext().traceId ?? '';
        // The event leaves after the answer: its producer span starts once the response is sent
        // and the server span has ended (both on 'close', the instrumentation's listener first),
        // in the request's trace but off its critical path ("after the response").
        const parent = context.active();
        res.once('close', () => {
          if (res.writableFinished) deps.predictionEvents(features, result, parent);
        });
        res.json({ ...result, trace_id: traceId });
      } catch (error) {
        if (error instanceof NoDecisionError) {
          logger.error({ err: error }, 'no decision possible');
          next(new HttpError(503, 'no_decision', 'neither the model nor the fallback rules could answer; retry later'));
          return;
        }
        next(error);
      }
    })
    .all(methodNotAllowed(['POST']));

  app
    .route('/random')
    .get(async (_req, res, next) => {
      try {
        res.json(await model.random(AbortSignal.timeout(deps.randomTimeoutMs)));
      } catch (error) {
        logger.error({ err: error }, 'model-inference /v1/random failed');
        next(new HttpError(502, 'upstream_failed', 'model-inference did not answer /v1/random'));
      }
    })
    .all(methodNotAllowed(['GET']));

  app.get('/readyz', async (_req, res) => {
    const dependencies = await deps.checkDependencies();
    const ready = Object.values(dependencies).every(Boolean);
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not_ready', dependencies });
  });

  addControlRoutes(app, { knobs: deps.knobs, token: deps.controlToken, logger });

  return finishApp(app, logger);
}
