import { z } from 'zod';
import { KNOB_TABLE } from '../../shared/knob-table';
import { envShape } from '../../shared/knobs';
import { controlTokenShape, listenSchema } from '../../shared/server';

export const SERVICE = { name: 'model-inference', version: '1.0.0', port: 8081, prometheusPort: 9465 } as const;

/** This service's runtime knobs (declared in the shared knob table). */
export const KNOBS = KNOB_TABLE['model-inference'];

export const configSchema = z.object({
  ...listenSchema(SERVICE.port),
  MODEL_VERSION: z.string().min(1).default('churn-lr-1.0.0'),
  MODEL_SEED: z.coerce.number().int().optional(),
  ...controlTokenShape,
  ...envShape(KNOBS),
});

export type Config = z.infer<typeof configSchema>;
