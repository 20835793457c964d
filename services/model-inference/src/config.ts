import { z } from 'zod';
import { BROKER, serviceInfo } from '../../registry';
import { KNOB_TABLE } from '../../shared/knob-table';
import { envShape } from '../../shared/knobs';
import { controlTokenShape, listenSchema } from '../../shared/server';

export const SERVICE = serviceInfo('model-inference');

/** This service's runtime knobs (declared in the shared knob table). */
export const KNOBS = KNOB_TABLE['model-inference'];

export const configSchema = z.object({
  ...listenSchema(SERVICE.port),
  MODEL_VERSION: z.string().min(1).default('churn-lr-1.0.0'),
  /** The broker the model monitor consumes prediction events from (docs/async-tracing.md). */
  NATS_URL: z.string().min(1).default(`nats://127.0.0.1:${BROKER.clientPort}`),
  /** Events per monitor batch at most (a batch also closes after a second). */
  MONITOR_BATCH_SIZE: z.coerce.number().int().min(1).max(10_000).default(100),
  /** Deliveries of a failing event before it is dead-lettered. */
  MONITOR_MAX_DELIVER: z.coerce.number().int().min(1).max(100).default(4),
  ...controlTokenShape,
  ...envShape(KNOBS),
});

export type Config = z.infer<typeof configSchema>;
