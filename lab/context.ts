// How the lab reaches the running stack: the services' control endpoints (with the control
// token) and Prometheus. The CLI builds a context from the control token (local/control-token.ts);
// the web console and the tests build their own.
import { localServiceUrl, URLS } from '../local/addresses';
import { controlTokenFile, readControlToken as readToken } from '../local/control-token';
import { KNOB_TABLE, type KnobService } from '../services/shared/knob-table';

export type LabUrls = Record<KnobService, string> & { prometheus: string };

export interface LabContext {
  controlToken: string;
  urls: LabUrls;
}

/** The native stack's: every service with knobs, and Prometheus. */
export const DEFAULT_URLS: LabUrls = {
  ...(Object.fromEntries(Object.keys(KNOB_TABLE).map((name) => [name, localServiceUrl(name as KnobService)])) as Record<
    KnobService,
    string
  >),
  prometheus: URLS.prometheus,
};

/** Where `npm start` writes the token it generated (mode 0600). */
export const CONTROL_TOKEN_FILE = controlTokenFile();

/** A problem the lab reports in one line (CLI) or as a 4xx (console): no stack trace. */
export class LabError extends Error {}

/** Bad input on the command line or in a request (a value out of range, an unknown name): exit 2, or a 400. */
export class LabUsageError extends LabError {}

/** The control token (CONTROL_TOKEN, else .tracelab/control-token: local/control-token.ts), or a LabError. */
export function readControlToken(env: NodeJS.ProcessEnv = process.env): string {
  const token = readToken(env, CONTROL_TOKEN_FILE);
  if (token) return token;
  throw new LabError(`no control token: start the stack with \`npm start\` (it writes ${CONTROL_TOKEN_FILE}) or set CONTROL_TOKEN`);
}

async function control(service: KnobService, ctx: LabContext, init: RequestInit = {}): Promise<Record<string, unknown>> {
  const url = `${ctx.urls[service]}/v1/control`;
  let response: Response;
  try {
    response = await fetch(url, {
      ...init,
      headers: { authorization: `Bearer ${ctx.controlToken}`, 'content-type': 'application/json' },
      signal: AbortSignal.timeout(5000),
    });
  } catch (error) {
    throw new LabError(`${service} does not answer at ${url} (${(error as Error).message}): is the stack running (npm start)?`);
  }
  const body = (await response.json().catch(() => ({}))) as Record<string, unknown> & { error?: { message?: string } };
  if (!response.ok)
    throw new LabError(`${service} refused ${init.method ?? 'GET'} /v1/control: ${response.status} ${body.error?.message ?? ''}`);
  return body;
}

export const getKnobs = (service: KnobService, ctx: LabContext) => control(service, ctx);

/** Changes some knobs of a service; a null restores a knob's value at start. */
export const putKnobs = (service: KnobService, update: Record<string, unknown>, ctx: LabContext) =>
  control(service, ctx, { method: 'PUT', body: JSON.stringify(update) });
