import { z } from 'zod';
import { BROKER, serviceInfo } from '../../registry';
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
  /** The broker the prediction events go to (docs/async-tracing.md). */
  NATS_URL: z.string().min(1).default(`nats://127.0.0.1:${BROKER.clientPort}`),
  /** off: no prediction events at all (the benchmark's modes that measure without them). */
  PREDICTION_EVENTS: z.enum(['on', 'off']).default('on'),
  /** Prediction events held while the broker is slow or away; a further one is dropped and counted. */
  EVENT_BUFFER: z.coerce.number().int().min(1).max(1_000_000).default(10_000),
  ...controlTokenShape,
  ...envShape(KNOBS),
});

export type Config = z.infer<typeof configSchema>;
