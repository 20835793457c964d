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
import { burnCpu, Leak, Mutex } from './faults';
import { recordPrediction, recordRandom } from './metrics';
import { predict, V2_VERSION, WEIGHTS, WEIGHTS_V2 } from './model';
import { createRandom } from './rng';

export interface ModelDeps {
  logger: Logger;
  modelVersion: string;
  knobs: KnobStore<typeof KNOBS>;
  /** Bearer token for /v1/control; undefined disables it. */
  controlToken: string | undefined;
}

const tracer = trace.getTracer('model-inference');

const predictBodySchema = z.strictObject({ features: featuresSchema });

export function createApp(deps: ModelDeps): Express {
  const { logger, modelVersion, knobs } = deps;
  // Seed 0 means a fresh random seed. /v1/random has its own generator, so its seed replays the
  // exercise whatever else is served. Any update naming a seed (even with the same value, or
  // null) restarts that sequence.
  const seeded = (seed: number) => createRandom(seed === 0 ? undefined : seed);
  let random = seeded(knobs.values.seed);
  let exerciseRandom = seeded(knobs.values.random_seed);
  knobs.onChange((after, _before, touched) => {
    if (touched.includes('seed')) random = seeded(after.seed);
    if (touched.includes('random_seed')) exerciseRandom = seeded(after.random_seed);
  });
  const inferenceLock = new Mutex();
  const leak = new Leak();
  let leakCapLogged = false;
  knobs.onChange((after) => {
    if (after.leak_kb_per_request === 0 && leak.retainedBytes > 0) {
      logger.info({ released_bytes: leak.retainedBytes }, 'leaked heap released');
      leak.release();
      leakCapLogged = false;
    }
  });
  const app = createBaseApp(logger);

  app
    .route('/v1/predict')
    .post(validateBody(predictBodySchema), async (req, res) => {
      const { features } = req.body as { features: Features };
      // The work auto-instrumentation cannot see: simulated inference time, failures and faults.
      await tracer.startActiveSpan('model.infer', async (span) => {
        const k = knobs.values;
        // Every draw before waiting: with a seed, the n-th request gets the same draws whatever the concurrency.
        const latencyMs = sampleLatencyMs(k, random);
        const fails = shouldFail(k, random);
        const v2 = random.next() < k.v2_share;
        const version = v2 ? V2_VERSION : modelVersion;
        let release: (() => void) | undefined;
        try {
          span.setAttributes({ 'tracelab.model.version': version, 'tracelab.plan': features.plan });
          if (k.inference_lock) {
            release = await tracer.startActiveSpan('model.lock.wait', async (wait) => {
              try {
                return await inferenceLock.acquire();
              } finally {
                wait.end();
              }
            });
          }
          if (k.leak_kb_per_request > 0 && !leak.add(k.leak_kb_per_request) && !leakCapLogged) {
            leakCapLogged = true;
            logger.warn({ retained_bytes: leak.retainedBytes }, 'leak cap reached: no more heap is kept');
          }
          if (k.cpu_work_ms > 0) burnCpu(k.cpu_work_ms);
          // 0 means instant: a zero timer would still wait a turn of the event loop (~1 ms).
          if (latencyMs > 0) await sleep(latencyMs);
          if (fails) {
            const error = new Error('simulated model failure (error_rate)');
            span.recordException(error);
            span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
            logger.error({ err: error, error_rate: k.error_rate, model_version: version }, 'inference failed');
            sendError(res, new HttpError(500, 'model_failure', 'the model failed to produce a prediction'));
            return;
          }
          const output = predict(features, v2 ? WEIGHTS_V2 : WEIGHTS);
          span.setAttributes({ 'tracelab.model.score': output.score, 'tracelab.prediction': output.prediction });
          recordPrediction(features, output.prediction, output.score, output.confidence, version);
          res.json({ ...output, model_version: version });
        } finally {
          release?.();
          span.end();
        }
      });
    })
    .all(methodNotAllowed(['POST']));

  app
    .route('/v1/random')
    .get(async (_req, res) => {
      const { value, delayMs } = sampleRandom(knobs.values, exerciseRandom);
      await sleep(delayMs);
      recordRandom(value, delayMs);
      res.json({ value, delay_ms: delayMs });
    })
    .all(methodNotAllowed(['GET']));

  addControlRoutes(app, { knobs, token: deps.controlToken, logger });

  return finishApp(app, logger);
}
