import { z } from 'zod';
import { serviceInfo } from '../../registry';
import { listenSchema } from '../../shared/server';

export const SERVICE = serviceInfo('model-inference');

export const configSchema = z.object({
  ...listenSchema(SERVICE.port),
  MODEL_VERSION: z.string().min(1).default('churn-lr-1.0.0'),
  MODEL_LATENCY_MEDIAN_MS: z.coerce.number().min(0).default(40),
  MODEL_LATENCY_P99_MS: z.coerce.number().min(0).default(180),
  MODEL_ERROR_RATE: z.coerce.number().min(0).max(1).default(0),
  MODEL_SEED: z.coerce.number().int().optional(),
  RANDOM_VALUE_MEAN: z.coerce.number().default(100),
  RANDOM_VALUE_STDDEV: z.coerce.number().min(0).default(15),
  RANDOM_DELAY_MEDIAN_MS: z.coerce.number().min(0).default(50),
  RANDOM_DELAY_P99_MS: z.coerce.number().min(0).default(400),
  /** Bearer token for /v1/control; unset or empty disables the endpoint. */
  CONTROL_TOKEN: z.preprocess((v) => (v === '' ? undefined : v), z.string().min(8).optional()),
});

export type Config = z.infer<typeof configSchema>;
