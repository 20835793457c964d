// The app factories build a working Express app from their dependencies: no environment, no
// telemetry SDK, no fixed port. (The real processes are tested in test/integration.)

import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp as createRulesApp } from '../../services/fallback-rules/src/app';
import { KNOBS as RULES_KNOBS } from '../../services/fallback-rules/src/config';
import { createApp as createModelApp } from '../../services/model-inference/src/app';
import { KNOBS as MODEL_KNOBS } from '../../services/model-inference/src/config';
import { defaultValues, KnobStore } from '../../services/shared/knobs';
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

const rulesDeps = () => ({ logger, controlToken: undefined, knobs: new KnobStore(RULES_KNOBS, defaultValues(RULES_KNOBS)) });

describe('fallback-rules app', () => {
  it('answers the rule that fired', async () => {
    const { status, body } = await call(createRulesApp(rulesDeps()), 'POST', '/v1/decide', { features });
    expect(status).toBe(200);
    expect(body).toEqual({ rule: 'new_customer_high_spend', prediction: 'churn', score: 0.7, rules_version: 'rules-1.0.0' });
  });

  it('takes latency_ms to decide once told so through its control endpoint', async () => {
    const app = createRulesApp({ ...rulesDeps(), controlToken: 'a-test-token' });
    const auth = { authorization: 'Bearer a-test-token' };
    expect((await call(app, 'PUT', '/v1/control', { latency_ms: 120 })).status).toBe(401);
    expect((await call(app, 'PUT', '/v1/control', { latency_ms: 120 }, auth)).body).toMatchObject({ latency_ms: 120 });
    const started = performance.now();
    expect((await call(app, 'POST', '/v1/decide', { features })).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(115);
    expect((await call(app, 'PUT', '/v1/control', { latency_ms: null }, auth)).body).toMatchObject({ latency_ms: 0 });
  });

  it('names the invalid field', async () => {
    const { status, body } = await call(createRulesApp(rulesDeps()), 'POST', '/v1/decide', {
      features: { ...features, monthly_spend: -5 },
    });
    expect(status).toBe(400);
    expect(body.error.message).toContain('features.monthly_spend');
  });
});

describe('model-inference app', () => {
  const deps = () => ({
    logger,
    modelVersion: 'test-model',
    controlToken: 'a-test-token',
    knobs: new KnobStore(MODEL_KNOBS, {
      ...defaultValues(MODEL_KNOBS),
      latency_median_ms: 0,
      latency_p99_ms: 0,
      random_delay_median_ms: 0,
      random_delay_p99_ms: 0,
    }),
  });

  it('predicts with the injected model version', async () => {
    const { status, body } = await call(createModelApp(deps()), 'POST', '/v1/predict', { features });
    expect(status).toBe(200);
    expect(body.model_version).toBe('test-model');
    expect(body.prediction).toMatch(/^(churn|stay)$/);
  });

  it('disables the control endpoint without a token', async () => {
    const { status, body } = await call(createModelApp({ ...deps(), controlToken: undefined }), 'GET', '/v1/control');
    expect(status).toBe(403);
    expect(body.error.code).toBe('control_disabled');
  });

  it('refuses a control update that breaks a cross-field rule, naming the knob, and changes nothing', async () => {
    const app = createModelApp(deps());
    const auth = { authorization: 'Bearer a-test-token' };
    const refused = await call(app, 'PUT', '/v1/control', { latency_median_ms: 50, error_rate: 1 }, auth);
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toContain('latency_p99_ms must be >= latency_median_ms (50)');
    expect(refused.body.error.details).toEqual([{ path: 'latency_p99_ms', message: 'latency_p99_ms must be >= latency_median_ms (50)' }]);
    expect((await call(app, 'GET', '/v1/control', undefined, auth)).body).toMatchObject({ latency_median_ms: 0, error_rate: 0 });
    const unknown = await call(app, 'PUT', '/v1/control', { latency_mean_ms: 5 }, auth);
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toContain('latency_mean_ms');
  });

  it('applies a control update and fails as told', async () => {
    const app = createModelApp(deps());
    const update = await call(app, 'PUT', '/v1/control', { error_rate: 1 }, { authorization: 'Bearer a-test-token' });
    expect(update.body.error_rate).toBe(1);
    const { status, body } = await call(app, 'POST', '/v1/predict', { features });
    expect(status).toBe(500);
    expect(body.error.code).toBe('model_failure');
  });
});

describe('fallback-rules reference lookups', () => {
  it('answers the reference values of the features asked, and names a bad one', async () => {
    const app = createRulesApp(rulesDeps());
    expect((await call(app, 'GET', '/v1/reference?feature=plan&feature=tenure_months')).body).toEqual({
      reference: { plan: 'pro', tenure_months: 24 },
    });
    expect((await call(app, 'GET', '/v1/reference?feature=plan')).body).toEqual({ reference: { plan: 'pro' } });
    const bad = await call(app, 'GET', '/v1/reference?feature=plan&feature=shoe_size');
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('feature.1');
    expect((await call(app, 'GET', '/v1/reference')).status).toBe(400);
    expect((await call(app, 'GET', '/v1/reference?feature=plan&feature=plan')).body.error.message).toContain(
      'each feature may be asked once',
    );
  });
});
