import { z } from 'zod';
import { serviceInfo } from '../../registry';
import { KNOB_TABLE } from '../../shared/knob-table';
import { envShape } from '../../shared/knobs';
import { controlTokenShape, listenSchema } from '../../shared/server';

export const SERVICE = serviceInfo('model-inference');

/** This service's runtime knobs (declared in the shared knob table). */
export const KNOBS = KNOB_TABLE['model-inference'];

export const configSchema = z.object({
  ...listenSchema(SERVICE.port),
  MODEL_VERSION: z.string().min(1).default('churn-lr-1.0.0'),
  ...controlTokenShape,
  ...envShape(KNOBS),
});

export type Config = z.infer<typeof configSchema>;
