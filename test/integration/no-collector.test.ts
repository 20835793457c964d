// Telemetry faults must never fail or slow user requests: with nothing listening on the OTLP
// endpoint, the services answer as usual and do not flood their output with export errors.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Cluster, predict, startCluster } from './harness';

let cluster: Cluster;

/** A loopback port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

beforeAll(async () => {
  cluster = await startCluster({}, `http://127.0.0.1:${await closedPort()}`);
});

afterAll(async () => {
  await cluster?.stop();
});

describe('with no collector listening', () => {
  it('serves every request, with the usual answers', async () => {
    for (let i = 0; i < 30; i++) {
      const { status, body } = await predict(cluster.gateway.url);
      expect(status).toBe(200);
      expect(body.source).toBe('model');
    }
  });

  it('keeps export failures off the console', async () => {
    // Several export attempts have failed by now (100 ms batch delay); none may reach stderr
    // more than occasionally.
    const lines = [cluster.gateway, cluster.model, cluster.rules].flatMap((s) => s.stderr);
    expect(lines.length).toBeLessThan(5);
  });
});
