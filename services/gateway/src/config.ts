import { z } from 'zod';
import { serviceInfo } from '../../registry';
import { listenSchema } from '../../shared/server';

export const SERVICE = serviceInfo('gateway');

export const configSchema = z.object({
  ...listenSchema(SERVICE.port),
  MODEL_URL: z.url().default('http://127.0.0.1:8081'),
  FALLBACK_URL: z.url().default('http://127.0.0.1:8082'),
  MODEL_TIMEOUT_MS: z.coerce.number().int().min(1).default(250),
  FALLBACK_TIMEOUT_MS: z.coerce.number().int().min(1).default(1000),
  BREAKER_FAILURE_THRESHOLD: z.coerce.number().int().min(1).default(5),
  BREAKER_HALF_OPEN_AFTER_MS: z.coerce.number().int().min(1).default(5000),
});

export type Config = z.infer<typeof configSchema>;
