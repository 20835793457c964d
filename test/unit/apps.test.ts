// The app factories build a working Express app from their dependencies: no environment, no
// telemetry SDK, no fixed port. (The real processes are tested in test/integration.)

import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp as createRulesApp } from '../../services/fallback-rules/src/app';
import { createApp as createModelApp } from '../../services/model-inference/src/app';
import { createRandom } from '../../services/model-inference/src/rng';
import { createLogger } from '../../services/shared/logger';

const logger = createLogger('silent');
const servers: { close(): void }[] = [];

async function call(app: Express, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const server = app.listen(0, '127.0.0.1');
  servers.push(server);
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  const response = await fetch(`http://127.0.0.1:${port}${path}`, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

const features = { tenure_months: 2, monthly_spend: 150, support_tickets: 0, plan: 'pro' };

describe('fallback-rules app', () => {
  it('answers the rule that fired', async () => {
    const { status, body } = await call(createRulesApp({ logger }), 'POST', '/v1/decide', { features });
    expect(status).toBe(200);
    expect(body).toEqual({ rule: 'new_customer_high_spend', prediction: 'churn', score: 0.7, rules_version: 'rules-1.0.0' });
  });

  it('names the invalid field', async () => {
    const { status, body } = await call(createRulesApp({ logger }), 'POST', '/v1/decide', { features: { ...features, monthly_spend: -5 } });
    expect(status).toBe(400);
    expect(body.error.message).toContain('features.monthly_spend');
  });
});

describe('model-inference app', () => {
  const deps = {
    logger,
    random: createRandom(1),
    modelVersion: 'test-model',
    controlToken: 'a-test-token',
    behaviour: {
      latency_median_ms: 0,
      latency_p99_ms: 0,
      error_rate: 0,
      random_value_mean: 100,
      random_value_stddev: 15,
      random_delay_median_ms: 0,
      random_delay_p99_ms: 0,
    },
  };

  it('predicts with the injected model version', async () => {
    const { status, body } = await call(createModelApp(deps), 'POST', '/v1/predict', { features });
    expect(status).toBe(200);
    expect(body.model_version).toBe('test-model');
    expect(body.prediction).toMatch(/^(churn|stay)$/);
  });

  it('disables the control endpoint without a token', async () => {
    const { status, body } = await call(createModelApp({ ...deps, controlToken: undefined }), 'GET', '/v1/control');
    expect(status).toBe(403);
    expect(body.error.code).toBe('control_disabled');
  });

  it('applies a control update and fails as told', async () => {
    const app = createModelApp(deps);
    const update = await call(app, 'PUT', '/v1/control', { error_rate: 1 }, { authorization: 'Bearer a-test-token' });
    expect(update.body.error_rate).toBe(1);
    const { status, body } = await call(app, 'POST', '/v1/predict', { features });
    expect(status).toBe(500);
    expect(body.error.code).toBe('model_failure');
  });
});
