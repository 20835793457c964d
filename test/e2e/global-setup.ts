// Starts the real native stack once for all test files of a project (e2e: the default topology;
// scaled: the scaled one), and stops it afterwards. Test files run in worker processes, so the
// stack's process control (kill/restart/status, for fault tests and drills) is offered to them
// over a small loopback HTTP endpoint:
//   POST /kill/<name>[?signal=SIGTERM][&supervise=1]   (default SIGKILL, stays down)
//   POST /restart/<name>     GET /status
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { stateDir } from '../../local/paths';
import type { Topology } from '../../tools/backends/index';
import { startStack } from '../../tools/runner/supervisor';

declare module 'vitest' {
  export interface ProvidedContext {
    controlToken: string;
    stackControlUrl: string;
  }
}

export const stackSetup = (topology: Topology, label: string) =>
  async function setup(project: TestProject) {
    console.log(`[${label}] starting the native stack (backends build on first use)…`);
    const stack = await startStack({
      log: (line) => console.log(`[${label}] ${line}`),
      controlToken: 'e2e-control-token',
      // Its own state folder, emptied first: a user's `npm start` data is left alone.
      stateDir: path.join(stateDir, label),
      fresh: true,
      topology,
    });
    const control = http.createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://stack');
      if (req.method === 'GET' && url.pathname === '/status')
        return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(stack.status()));
      const match = /^\/(kill|restart)\/([\w-]+)$/.exec(url.pathname);
      if (req.method !== 'POST' || !match) return void res.writeHead(404).end();
      const signal = url.searchParams.get('signal') === 'SIGTERM' ? 'SIGTERM' : 'SIGKILL';
      const action =
        match[1] === 'kill'
          ? stack.kill(match[2]!, { signal, supervise: url.searchParams.get('supervise') === '1' })
          : stack.restart(match[2]!);
      action.then(
        () => res.writeHead(204).end(),
        (error: unknown) => res.writeHead(500).end(String(error)),
      );
    });
    await new Promise<void>((resolve) => control.listen(0, '127.0.0.1', resolve));
    project.provide('controlToken', stack.controlToken);
    project.provide('stackControlUrl', `http://127.0.0.1:${(control.address() as AddressInfo).port}`);

    return async () => {
      control.close();
      await stack.stop();
    };
  };

export default stackSetup('default', 'e2e');
