// How a service process is started, in one place: the native runner, the tests and the
// Dockerfile all use `node --require <instrumentation> <server>`, so the SDK is loaded before
// any application module and the instrumentation is what production gets.
import path from 'node:path';
import { SERVICE as fallbackRules } from '../services/fallback-rules/src/config';
import { SERVICE as gateway } from '../services/gateway/src/config';
import { SERVICE as modelInference } from '../services/model-inference/src/config';
import { distDir } from './paths';

export const SERVICES = [modelInference, fallbackRules, gateway] as const;

export type ServiceName = (typeof SERVICES)[number]['name'];

export function serviceCommand(name: ServiceName): { command: string; args: string[] } {
  const src = path.join(distDir, 'services', name, 'src');
  return { command: process.execPath, args: ['--require', path.join(src, 'instrumentation.js'), path.join(src, 'server.js')] };
}
