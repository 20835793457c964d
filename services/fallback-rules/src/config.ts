import { z } from 'zod';
import { serviceInfo } from '../../registry';
import { KNOB_TABLE } from '../../shared/knob-table';
import { envShape } from '../../shared/knobs';
import { controlTokenShape, listenSchema } from '../../shared/server';

export const SERVICE = serviceInfo('fallback-rules');

/** This service's runtime knobs (declared in the shared knob table). */
export const KNOBS = KNOB_TABLE['fallback-rules'];

export const configSchema = z.object({ ...listenSchema(SERVICE.port), ...controlTokenShape, ...envShape(KNOBS) });
