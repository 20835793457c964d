// The demo's alert receiver, a process of the stack: Alertmanager posts webhooks here (POST /alerts/<receiver>) and the
// tests and the curious read back what was delivered (GET /alerts). Kept in memory, bounded.
import http from 'node:http';
import type { Delivery } from '../../clients/alert-recorder';

const MAX_DELIVERIES = 1000;
const MAX_BODY_BYTES = 1 << 20;

export function createAlertRecorder(): http.Server {
  const deliveries: Delivery[] = [];
  return http.createServer((req, res) => {
    const reply = (status: number, body: unknown) =>
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    const url = new URL(req.url ?? '/', 'http://recorder');
    if (req.method === 'GET' && url.pathname === '/alerts') {
      reply(200, deliveries);
      return;
    }
    const match = /^\/alerts\/([\w-]+)$/.exec(url.pathname);
    if (req.method !== 'POST' || !match) {
      reply(404, { error: { code: 'not_found', message: 'POST /alerts/<receiver> or GET /alerts' } });
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > MAX_BODY_BYTES) {
        reply(413, { error: { code: 'payload_too_large', message: 'webhook body over 1 MiB' } });
        return;
      }
      try {
        deliveries.push({
          receiver: match[1]!,
          receivedAt: new Date().toISOString(),
          payload: JSON.parse(Buffer.concat(chunks).toString()),
        });
        if (deliveries.length > MAX_DELIVERIES) deliveries.shift();
        reply(200, { status: 'recorded' });
      } catch {
        reply(400, { error: { code: 'invalid_json', message: 'webhook body is not valid JSON' } });
      }
    });
  });
}

if (require.main === module) {
  const host = process.env.HOST ?? '127.0.0.1';
  const port = Number(process.env.PORT ?? 9099);
  const server = createAlertRecorder().listen(port, host, () => console.log(`alert recorder on http://${host}:${port}/alerts`));
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => server.close(() => process.exit(0)));
}
