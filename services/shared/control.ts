// The control endpoint every service has: GET /v1/control answers the current knob values,
// PUT /v1/control changes some of them (a null restores a knob's value at start). Both need the
// bearer token from CONTROL_TOKEN; without one configured the endpoint is disabled (403).
import { timingSafeEqual } from 'node:crypto';
import type { Express, RequestHandler } from 'express';
import { HttpError, methodNotAllowed, validateBody } from './http';
import { type KnobSet, type KnobStore, type KnobUpdate, updateSchema } from './knobs';
import type { Logger } from './logger';

/** Constant-time token check, so response timing does not leak the token. */
export function requireToken(expected: string | undefined): RequestHandler {
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

export interface ControlOptions<S extends KnobSet> {
  knobs: KnobStore<S>;
  /** Bearer token; undefined disables the endpoint. */
  token: string | undefined;
  logger: Logger;
}

export function addControlRoutes<S extends KnobSet>(app: Express, { knobs, token, logger }: ControlOptions<S>): void {
  app
    .route('/v1/control')
    .get(requireToken(token), (_req, res) => {
      res.json(knobs.values);
    })
    .put(requireToken(token), validateBody(updateSchema(knobs.knobs)), (req, res, next) => {
      const before = knobs.values;
      const result = knobs.update(req.body as KnobUpdate<S>);
      if (!result.ok) {
        const details = result.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
        next(new HttpError(400, 'invalid_request', `invalid knob values: ${details.map((d) => d.message).join('; ')}`, details));
        return;
      }
      logger.warn({ before, after: result.values }, 'knobs changed through the control endpoint');
      res.json(result.values);
    })
    .all(methodNotAllowed(['GET', 'PUT']));
}
