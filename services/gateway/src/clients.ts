// HTTP clients for the two downstream services. fetch is instrumented (undici), so each call
// is a client span and carries traceparent/baggage to the callee.
import { type Attributes, context, ROOT_CONTEXT, SpanStatusCode, trace } from '@opentelemetry/api';
import { z } from 'zod';
import type { Features } from '../../shared/features';
import { BadResponseError } from './fallback-policy';

export const modelAnswerSchema = z.object({
  prediction: z.enum(['churn', 'stay']),
  score: z.number().min(0).max(1),
  model_version: z.string(),
});
export type ModelAnswer = z.infer<typeof modelAnswerSchema>;

export const rulesAnswerSchema = z.object({
  prediction: z.enum(['churn', 'stay']),
  score: z.number().min(0).max(1),
  rule: z.string(),
  rules_version: z.string(),
});
export type RulesAnswer = z.infer<typeof rulesAnswerSchema>;

export interface ModelClient {
  predict(features: Features, signal: AbortSignal): Promise<ModelAnswer>;
  random(signal: AbortSignal): Promise<unknown>;
}

export const referenceAnswerSchema = z.object({ reference: z.record(z.string(), z.union([z.number(), z.string()])) });
export type ReferenceAnswer = z.infer<typeof referenceAnswerSchema>;

export interface RulesClient {
  decide(features: Features, signal: AbortSignal): Promise<RulesAnswer>;
  /** Reference values of the named features, in one call. */
  reference(names: readonly (keyof Features)[], signal: AbortSignal): Promise<ReferenceAnswer>;
}

/** A downstream answered with a non-2xx status. */
export class DownstreamError extends Error {
  constructor(
    readonly service: string,
    readonly status: number,
  ) {
    super(`${service} answered HTTP ${status}`);
  }
}

async function call<T>(service: string, url: string, init: RequestInit, schema: z.ZodType<T>): Promise<T> {
  const response = await fetch(url, init);
  if (!response.ok) {
    await response.body?.cancel();
    throw new DownstreamError(service, response.status);
  }
  const parsed = schema.safeParse(await response.json().catch(() => undefined));
  if (!parsed.success) throw new BadResponseError(`${service} returned an unexpected body`);
  return parsed.data;
}

const postJson = (body: unknown, signal: AbortSignal): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
  signal,
});

/** The span a call waiting for a pool connection records (only a call that really waits records one). */
export interface PoolWaitSpan {
  name: string;
  attributes: Attributes;
}

const tracer = trace.getTracer('gateway');

/**
 * At most `limit()` calls in flight (a connection pool); the others wait in arrival order.
 * A limit of 0 means no limit. The limit is read at each call, so it can change at runtime.
 * A call that has to wait records the wait as its own span (`waitSpan`), as the lock wait in
 * model-inference does: without it the wait hides in the caller's self time, before the client span.
 */
export function createPool(limit: () => number, waitSpan?: PoolWaitSpan): <T>(work: () => Promise<T>, signal: AbortSignal) => Promise<T> {
  let inFlight = 0;
  const waiting: (() => void)[] = [];
  const release = () => {
    inFlight--;
    while (waiting.length && (limit() === 0 || inFlight < limit())) {
      inFlight++;
      waiting.shift()!();
    }
  };
  return async (work, signal) => {
    if (limit() === 0 || inFlight < limit()) inFlight++;
    else {
      const span = waitSpan
        ? tracer.startSpan(waitSpan.name, {
            attributes: { ...waitSpan.attributes, 'tracelab.pool.connections': limit(), 'tracelab.pool.queued_ahead': waiting.length },
          })
        : undefined;
      try {
        await new Promise<void>((resolve, reject) => {
          const admit = () => {
            signal.removeEventListener('abort', abandon);
            resolve();
          };
          const abandon = () => {
            waiting.splice(waiting.indexOf(admit), 1);
            reject(signal.reason);
          };
          waiting.push(admit);
          signal.addEventListener('abort', abandon, { once: true });
        });
      } catch (error) {
        // The caller's budget ran out while it waited: the call never started.
        span?.setStatus({ code: SpanStatusCode.ERROR, message: 'gave up waiting for a connection (the caller aborted)' });
        throw error;
      } finally {
        span?.end();
      }
    }
    try {
      return await work();
    } finally {
      release();
    }
  };
}

export interface ModelClientOptions {
  /** Model calls allowed in flight at once; 0 = unlimited (read at each call). */
  poolConnections: () => number;
  /** Whether calls carry the trace context and baggage (read at each call). */
  propagateContext: () => boolean;
}

export function createModelClient(baseUrl: string, options: ModelClientOptions): ModelClient {
  const pool = createPool(options.poolConnections, { name: 'model.pool.wait', attributes: { 'peer.service': 'model-inference' } });
  return {
    predict: (features, signal) =>
      pool(() => {
        const request = () => call('model-inference', `${baseUrl}/v1/predict`, postJson({ features }, signal), modelAnswerSchema);
        // A hop that drops the context: the call starts from an empty context, so its client span
        // opens a new trace and no traceparent or baggage reaches the model.
        return options.propagateContext() ? request() : context.with(ROOT_CONTEXT, request);
      }, signal),
    random: (signal) => call('model-inference', `${baseUrl}/v1/random`, { signal }, z.unknown()),
  };
}

export function createRulesClient(baseUrl: string): RulesClient {
  return {
    decide: (features, signal) => call('fallback-rules', `${baseUrl}/v1/decide`, postJson({ features }, signal), rulesAnswerSchema),
    reference: (names, signal) => {
      const query = new URLSearchParams(names.map((name): [string, string] => ['feature', name]));
      return call('fallback-rules', `${baseUrl}/v1/reference?${query}`, { signal }, referenceAnswerSchema);
    },
  };
}
