import { setTimeout as sleep } from 'node:timers/promises';
import { SpanStatusCode, trace } from '@opentelemetry/api';
import type { Express } from 'express';
import { z } from 'zod';
import { addControlRoutes } from '../../shared/control';
import { type Features, featuresSchema } from '../../shared/features';
import { createBaseApp, finishApp, HttpError, methodNotAllowed, sendError, validateBody } from '../../shared/http';
import type { KnobStore } from '../../shared/knobs';
import type { Logger } from '../../shared/logger';
import { sampleLatencyMs, sampleRandom, shouldFail } from './behaviour';
import type { KNOBS } from './config';
import { recordPrediction, recordRandom } from './metrics';
import { predict } from './model';
import type { Random } from './rng';

export interface ModelDeps {
  logger: Logger;
  random: Random;
  modelVersion: string;
  knobs: KnobStore<typeof KNOBS>;
  /** Bearer token for /v1/control; undefined disables it. */
  controlToken: string | undefined;
}

const tracer = trace.getTracer('model-inference');

const predictBodySchema = z.strictObject({ features: featuresSchema });

export function createApp(deps: ModelDeps): Express {
  const { logger, random, modelVersion, knobs } = deps;
  const app = createBaseApp(logger);

  app
    .route('/v1/predict')
    .post(validateBody(predictBodySchema), async (req, res) => {
      const { features } = req.body as { features: Features };
      // The work auto-instrumentation cannot see: simulated inference time and failures.
      await tracer.startActiveSpan('model.infer', async (span) => {
        try {
          span.setAttributes({ 'tracelab.model.version': modelVersion, 'tracelab.plan': features.plan });
          await sleep(sampleLatencyMs(knobs.values, random));
          if (shouldFail(knobs.values, random)) {
            const error = new Error('simulated model failure (error_rate)');
            span.recordException(error);
            span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
            logger.error({ err: error, error_rate: knobs.values.error_rate, model_version: modelVersion }, 'inference failed');
            sendError(res, new HttpError(500, 'model_failure', 'the model failed to produce a prediction'));
            return;
          }
          const output = predict(features);
          span.setAttributes({ 'tracelab.model.score': output.score, 'tracelab.prediction': output.prediction });
          recordPrediction(features, output.prediction, output.score, output.confidence, modelVersion);
          res.json({ ...output, model_version: modelVersion });
        } finally {
          span.end();
        }
      });
    })
    .all(methodNotAllowed(['POST']));

  app
    .route('/v1/random')
    .get(async (_req, res) => {
      const { value, delayMs } = sampleRandom(knobs.values, random);
      await sleep(delayMs);
      recordRandom(value, delayMs);
      res.json({ value, delay_ms: delayMs });
    })
    .all(methodNotAllowed(['GET']));

  addControlRoutes(app, { knobs, token: deps.controlToken, logger });

  return finishApp(app, logger);
}
