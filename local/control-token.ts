// The control token of the services' /v1/control endpoints, and where a running native stack
// keeps its files. One reader, one precedence, for the lab CLI, the console and the tests:
//
//   1. CONTROL_TOKEN from the environment, when set and not empty: an explicit setting wins
//      (compose, Kubernetes and a stack started with CONTROL_TOKEN=… all pass it this way);
//   2. else the file `npm start` wrote, .tracelab/control-token (mode 0600).
//
// The runner itself takes CONTROL_TOKEN when set, so both sources agree for a stack started in
// the same shell.
import fs from 'node:fs';
import path from 'node:path';
import { stateDir } from './paths';

/** The file where `npm start` leaves the control token (0600). */
export const controlTokenFile = (state: string = stateDir) => path.join(state, 'control-token');

/** The unix socket a running stack answers `status` and `restart` on (0600). */
export const controlSocketFile = (state: string = stateDir) => path.join(state, 'control.sock');

/** The control token (see the precedence above), or undefined when neither source has one. */
export function readControlToken(env: NodeJS.ProcessEnv = process.env, file = controlTokenFile()): string | undefined {
  if (env.CONTROL_TOKEN) return env.CONTROL_TOKEN;
  try {
    return fs.readFileSync(file, 'utf8').trim() || undefined;
  } catch {
    return undefined; // no file: no stack started by `npm start` here
  }
}
