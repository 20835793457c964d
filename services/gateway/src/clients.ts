// HTTP clients for the two downstream services. fetch is instrumented (undici), so each call
// is a client span and carries traceparent/baggage to the callee.
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

export interface RulesClient {
  decide(features: Features, signal: AbortSignal): Promise<RulesAnswer>;
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

export function createModelClient(baseUrl: string): ModelClient {
  return {
    predict: (features, signal) => call('model-inference', `${baseUrl}/v1/predict`, postJson({ features }, signal), modelAnswerSchema),
    random: (signal) => call('model-inference', `${baseUrl}/v1/random`, { signal }, z.unknown()),
  };
}

export function createRulesClient(baseUrl: string): RulesClient {
  return {
    decide: (features, signal) => call('fallback-rules', `${baseUrl}/v1/decide`, postJson({ features }, signal), rulesAnswerSchema),
  };
}
