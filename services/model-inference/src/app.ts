import { timingSafeEqual } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { SpanStatusCode, trace } from '@opentelemetry/api';
import type { Express, RequestHandler } from 'express';
import { z } from 'zod';
import { type Features, featuresSchema } from '../../shared/features';
import { createBaseApp, finishApp, HttpError, methodNotAllowed, sendError, validateBody } from '../../shared/http';
import type { Logger } from '../../shared/logger';
import { type Behaviour, behaviourUpdateSchema, mergeBehaviour, sampleLatencyMs, sampleRandom, shouldFail } from './behaviour';
import { recordPrediction, recordRandom } from './metrics';
import { predict } from './model';
import type { Random } from './rng';

export interface ModelDeps {
  logger: Logger;
  random: Random;
  modelVersion: string;
  behaviour: Behaviour;
  /** Bearer token for /v1/control; undefined disables it. */
  controlToken: string | undefined;
}

const tracer = trace.getTracer('model-inference');

const predictBodySchema = z.strictObject({ features: featuresSchema });

/** Constant-time token check, so response timing does not leak the token. */
function requireToken(expected: string | undefined): RequestHandler {
  return (req, _res, next) => {
    if (!expected) {
      next(new HttpError(403, 'control_disabled', 'the control endpoint is disabled: start the service with CONTROL_TOKEN set'));
      return;
    }
    const presented = Buffer.from((req.get('authorization') ?? '').replace(/^Bearer\s+/i, ''));
    const wanted = Buffer.from(expected);
    if (presented.length !== wanted.length || !timingSafeEqual(presented, wanted)) {
      next(new HttpError(401, 'unauthorized', 'a valid bearer token is required (Authorization: Bearer <CONTROL_TOKEN>)'));
      return;
    }
    next();
  };
}

export function createApp(deps: ModelDeps): Express {
  const { logger, random, modelVersion } = deps;
  let behaviour = deps.behaviour;
  const app = createBaseApp(logger);

  app
    .route('/v1/predict')
    .post(validateBody(predictBodySchema), async (req, res) => {
      const { features } = req.body as { features: Features };
      // The work auto-instrumentation cannot see: simulated inference time and failures.
      await tracer.startActiveSpan('model.infer', async (span) => {
        try {
          span.setAttributes({ 'tracelab.model.version': modelVersion, 'tracelab.plan': features.plan });
          await sleep(sampleLatencyMs(behaviour, random));
          if (shouldFail(behaviour, random)) {
            const error = new Error('simulated model failure (error_rate)');
            span.recordException(error);
            span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
            logger.error({ err: error, error_rate: behaviour.error_rate, model_version: modelVersion }, 'inference failed');
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
      const { value, delayMs } = sampleRandom(behaviour, random);
      await sleep(delayMs);
      recordRandom(value, delayMs);
      res.json({ value, delay_ms: delayMs });
    })
    .all(methodNotAllowed(['GET']));

  app
    .route('/v1/control')
    .get(requireToken(deps.controlToken), (_req, res) => {
      res.json(behaviour);
    })
    .put(requireToken(deps.controlToken), validateBody(behaviourUpdateSchema), (req, res) => {
      const next = mergeBehaviour(behaviour, req.body as Partial<Behaviour>);
      if (typeof next === 'string') {
        sendError(res, new HttpError(400, 'invalid_request', next));
        return;
      }
      logger.warn({ before: behaviour, after: next }, 'model behaviour changed through the control endpoint');
      behaviour = next;
      res.json(behaviour);
    })
    .all(methodNotAllowed(['GET', 'PUT']));

  return finishApp(app, logger);
}
