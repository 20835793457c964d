// A running stack answers `status` and `restart` on a unix socket in its state folder, created
// 0600 so that only its owner may talk to it; `npm run stack -- status|restart` ask through it.
import fs from 'node:fs';
import http from 'node:http';
import { controlSocketFile } from '../../local/control-token';
import type { Stack } from './supervisor';

/** Serves `status` and `restart` for a running stack on a unix socket only its owner can open. */
export async function serveControl(stack: Stack, socketFile: string): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const reply = (status: number, body: unknown) =>
      res.writeHead(status, { 'content-type': 'application/json' }).end(`${JSON.stringify(body)}\n`);
    const restart = /^\/restart\/([\w-]+)$/.exec(req.url ?? '');
    if (req.method === 'GET' && req.url === '/status') reply(200, stack.status());
    else if (req.method === 'POST' && restart)
      stack.restart(restart[1]!).then(
        () =>
          reply(
            200,
            stack.status().find((p) => p.name === restart[1]),
          ),
        (error: unknown) => reply(400, { error: (error as Error).message }),
      );
    else reply(404, { error: 'GET /status or POST /restart/<name>' });
  });
  fs.rmSync(socketFile, { force: true }); // left by a stack that was killed (the port check ruled out a live one)
  const previous = process.umask(0o177); // the socket is created 0600 (no window with wider rights)
  try {
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(socketFile, resolve));
  } finally {
    process.umask(previous);
  }
  fs.chmodSync(socketFile, 0o600);
  return server;
}

/** One request to a running stack's control socket. */
export function askStack(method: 'GET' | 'POST', urlPath: string): Promise<unknown> {
  const socketPath = controlSocketFile();
  if (!fs.existsSync(socketPath)) throw new Error(`no running stack (${socketPath} is missing): start it with npm start`);
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath, method, path: urlPath }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      res.on('end', () => {
        const parsed = JSON.parse(body) as { error?: string };
        if (res.statusCode !== 200) reject(new Error(parsed.error ?? `status ${res.statusCode}`));
        else resolve(parsed);
      });
    });
    req.on('error', (error) => reject(new Error(`the stack does not answer on ${socketPath}: ${error.message}`)));
    req.end();
  });
}
