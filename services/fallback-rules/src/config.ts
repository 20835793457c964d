import { z } from 'zod';
import { serviceInfo } from '../../registry';
import { listenSchema } from '../../shared/server';

export const SERVICE = serviceInfo('fallback-rules');

export const configSchema = z.object(listenSchema(SERVICE.port));
