import { z } from 'zod';
import { listenSchema } from '../../shared/server';

export const SERVICE = { name: 'fallback-rules', version: '1.0.0', port: 8082, prometheusPort: 9466 } as const;

export const configSchema = z.object(listenSchema(SERVICE.port));
