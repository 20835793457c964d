// Telemetry faults must never fail or slow user requests: with nothing listening on the OTLP
// endpoint, the services answer as usual and do not flood their output with export errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closedPort } from '../support/ports';
import { type Cluster, predict, startCluster } from './harness';

let cluster: Cluster;

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
