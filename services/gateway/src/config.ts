import { z } from 'zod';
import { listenSchema } from '../../shared/server';

export const SERVICE = { name: 'gateway', version: '1.0.0', port: 8080, prometheusPort: 9464 } as const;

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
