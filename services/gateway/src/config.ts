import { z } from 'zod';
import { serviceInfo } from '../../registry';
import { KNOB_TABLE } from '../../shared/knob-table';
import { envShape } from '../../shared/knobs';
import { controlTokenShape, listenSchema } from '../../shared/server';

export const SERVICE = serviceInfo('gateway');

/** This service's runtime knobs (declared in the shared knob table). */
export const KNOBS = KNOB_TABLE.gateway;

export const configSchema = z.object({
  ...listenSchema(SERVICE.port),
  MODEL_URL: z.url().default('http://127.0.0.1:8081'),
  FALLBACK_URL: z.url().default('http://127.0.0.1:8082'),
  ...controlTokenShape,
  ...envShape(KNOBS),
});

export type Config = z.infer<typeof configSchema>;
