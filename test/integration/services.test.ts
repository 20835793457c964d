// The three services as real processes, with the SDK loaded exactly as in production, exporting
// to an OTLP receiver in this test: traces across process boundaries, logs tied to spans,
// metrics on /metrics, the fallback path, and bad input.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { eventually } from '../../clients/wait';
import { type ReceivedSpan, SPAN_KIND } from '../support/otlp-receiver';
import { type Cluster, CONTROL_TOKEN, FEATURES, PORTS, predict, randomHex, setModelBehaviour, startCluster } from './harness';

let cluster: Cluster;

beforeAll(async () => {
  cluster = await startCluster({ MODEL_TIMEOUT_MS: '150', BREAKER_FAILURE_THRESHOLD: '3', BREAKER_HALF_OPEN_AFTER_MS: '1000' });
});

afterAll(async () => {
  await cluster?.stop();
});

beforeEach(async () => {
  await setModelBehaviour(cluster.model.url, { latency_median_ms: 5, latency_p99_ms: 20, error_rate: 0 });
});

/** Waits until the trace has a server span from each named service and its spans stop arriving. */
async function traceFrom(traceId: string, services: string[]): Promise<ReceivedSpan[]> {
  return eventually(
    () => {
      const spans = cluster.receiver.spansOf(traceId);
      const servers = new Set(spans.filter((s) => s.kind === SPAN_KIND.SERVER).map((s) => s.service));
      return services.every((s) => servers.has(s)) ? spans : undefined;
    },
    { what: `server spans from ${services.join(', ')} in trace ${traceId}` },
  );
}

const serverSpan = (spans: ReceivedSpan[], service: string) => spans.find((s) => s.service === service && s.kind === SPAN_KIND.SERVER)!;

/** Asserts that `child` (a server span) is a child of a client span of `callerService`. */
function expectCalledBy(spans: ReceivedSpan[], child: ReceivedSpan, callerService: string): void {
  const parent = spans.find((s) => s.spanId === child.parentSpanId);
  expect(parent, `parent of ${child.service}'s server span`).toBeDefined();
  expect(parent!.service).toBe(callerService);
  expect(parent!.kind).toBe(SPAN_KIND.CLIENT);
}

describe('a prediction served by the model', () => {
  it('continues an incoming traceparent across gateway and model-inference, with correct parent links', async () => {
    const traceId = randomHex(16);
    const callerSpanId = randomHex(8);
    const { response, body } = await predict(cluster.gateway.url, {
      traceparent: `00-${traceId}-${callerSpanId}-01`,
      baggage: 'tracelab.session=lesson-1',
    });

    expect(response.status).toBe(200);
    expect(body).toMatchObject({ source: 'model', model_version: 'churn-lr-1.0.0', trace_id: traceId });
    expect(['churn', 'stay']).toContain(body.prediction);
    expect(body.score).toBeGreaterThanOrEqual(0);
    expect(body.score).toBeLessThanOrEqual(1);
    expect(response.headers.get('traceresponse')).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));

    const spans = await traceFrom(traceId, ['gateway', 'model-inference']);
    const gatewayServer = serverSpan(spans, 'gateway');
    expect(gatewayServer.parentSpanId).toBe(callerSpanId);
    expect(gatewayServer.attributes).toMatchObject({
      'http.route': '/v1/predict',
      'http.response.status_code': 200,
      'http.request.method': 'POST',
    });
    expect(gatewayServer.name).toBe('POST /v1/predict');

    const modelServer = serverSpan(spans, 'model-inference');
    expect(modelServer.attributes).toMatchObject({ 'http.route': '/v1/predict', 'http.response.status_code': 200 });
    expectCalledBy(spans, modelServer, 'gateway');
    // The client span is named `{method} {url.template}` (semantic conventions), its peer beside it.
    const call = spans.find((s) => s.spanId === modelServer.parentSpanId)!;
    expect(call.name).toBe('POST /v1/predict');
    expect(call.attributes).toMatchObject({ 'url.template': '/v1/predict', 'peer.service': 'model-inference' });
    // The allow-listed baggage entry crossed the hop: on both services' server spans and the client span.
    for (const span of [gatewayServer, call, modelServer]) expect(span.attributes['baggage.tracelab.session']).toBe('lesson-1');

    // Express instrumentation is active (CommonJS + --require): http.route above comes from it.
    // It records no span per middleware or handler (their cost buys nothing: docs/performance.md).
    expect(spans.filter((s) => s.attributes['express.type'] !== undefined)).toEqual([]);
    const infer = spans.find((s) => s.name === 'model.infer')!;
    expect(infer.service).toBe('model-inference');
    expect(infer.attributes['tracelab.model.version']).toBe('churn-lr-1.0.0');
    expect(infer.attributes['tracelab.prediction']).toBe(body.prediction);

    // No customer data in any span.
    expect(JSON.stringify(spans)).not.toContain('cust-123');
  });

  it('writes logs that carry the trace and span ids of the span they were written in', async () => {
    const { body } = await predict(cluster.gateway.url, { baggage: 'tracelab.lesson=logs,secret.token=abc' });
    const traceId: string = body.trace_id;
    const spans = await traceFrom(traceId, ['gateway', 'model-inference']);
    const spanIds = new Set(spans.map((s) => s.spanId));

    const stdout = await eventually(
      () => {
        const lines = [...cluster.gateway.logs, ...cluster.model.logs].filter((l) => l.trace_id === traceId);
        return lines.filter((l) => l.msg === 'request completed').length >= 2 ? lines : undefined;
      },
      { what: 'access-log lines on stdout' },
    );
    for (const line of stdout) expect(spanIds.has(line.span_id as string), `stdout span_id ${line.span_id}`).toBe(true);
    // Every line written in the request's context carries the allow-listed baggage, and only that.
    for (const line of stdout) expect(line['baggage.tracelab.lesson'], JSON.stringify(line)).toBe('logs');
    expect(JSON.stringify(stdout)).not.toContain('secret.token');

    const exported = await eventually(
      () => {
        const records = cluster.receiver.logs.filter((l) => l.traceId === traceId);
        return new Set(records.map((r) => r.service)).size === 2 ? records : undefined;
      },
      { what: 'OTLP log records from both services' },
    );
    expect(new Set(exported.map((r) => r.service))).toEqual(new Set(['gateway', 'model-inference']));
    for (const record of exported) expect(spanIds.has(record.spanId)).toBe(true);
    expect(JSON.stringify(exported)).not.toContain('cust-123');
  });
});

describe('the fallback path', () => {
  it('asks fallback-rules when the model fails: one trace across all three services', async () => {
    await setModelBehaviour(cluster.model.url, { error_rate: 1 });
    const { response, body } = await predict(cluster.gateway.url);

    expect(response.status).toBe(200);
    expect(body).toMatchObject({ source: 'fallback', fallback_reason: 'error', rule: 'new_customer_high_spend', prediction: 'churn' });

    const spans = await traceFrom(body.trace_id, ['gateway', 'model-inference', 'fallback-rules']);
    expectCalledBy(spans, serverSpan(spans, 'model-inference'), 'gateway');
    expectCalledBy(spans, serverSpan(spans, 'fallback-rules'), 'gateway');
    expect(serverSpan(spans, 'model-inference').attributes['http.response.status_code']).toBe(500);

    const infer = spans.find((s) => s.name === 'model.infer')!;
    expect(infer.status.code).toBe(2); // ERROR
    expect(infer.events.some((e) => e.name === 'exception')).toBe(true);
    const decide = spans.find((s) => s.name === 'fallback.decide')!;
    expect(decide.attributes).toMatchObject({ 'tracelab.fallback.reason': 'error', 'tracelab.rule': 'new_customer_high_spend' });
    expect(spans.find((s) => s.name === 'rules.evaluate')!.attributes['tracelab.rule']).toBe('new_customer_high_spend');

    await eventually(() => cluster.gateway.logs.find((l) => l.trace_id === body.trace_id && l.level === 40 && l.reason === 'error'), {
      what: 'warn log naming the fallback reason',
    });
  });

  it('falls back on timeout, opens the circuit, and closes it again after a half-open trial', async () => {
    // A success first: the breaker counts consecutive failures, and earlier tests failed calls.
    expect((await predict(cluster.gateway.url)).body.source).toBe('model');
    await setModelBehaviour(cluster.model.url, { latency_median_ms: 600, latency_p99_ms: 700 });
    const reasons: string[] = [];
    for (let i = 0; i < 4; i++) {
      const started = Date.now();
      const { body } = await predict(cluster.gateway.url);
      expect(body.source).toBe('fallback');
      // The 150 ms budget holds even though the model takes 600 ms.
      expect(Date.now() - started).toBeLessThan(550);
      reasons.push(body.fallback_reason);
    }
    // Threshold 3: three timeouts, then the circuit is open and the model is not called.
    expect(reasons).toEqual(['timeout', 'timeout', 'timeout', 'circuit_open']);

    await setModelBehaviour(cluster.model.url, { latency_median_ms: 5, latency_p99_ms: 20 });
    // After BREAKER_HALF_OPEN_AFTER_MS one trial call goes through; success closes the circuit.
    await eventually(async () => ((await predict(cluster.gateway.url)).body.source === 'model' ? true : undefined), {
      timeoutMs: 10_000,
      intervalMs: 250,
      what: 'the circuit to close again',
    });
    expect((await predict(cluster.gateway.url)).body.source).toBe('model');
  });
});

describe('metrics on the /metrics endpoints', () => {
  const scrape = async (service: keyof typeof PORTS) => (await fetch(`http://127.0.0.1:${PORTS[service].metrics}/metrics`)).text();

  it('expose golden signals and model metrics with the expected labels and no customer ids', async () => {
    await setModelBehaviour(cluster.model.url, { error_rate: 1 });
    await predict(cluster.gateway.url);
    await setModelBehaviour(cluster.model.url, { error_rate: 0 });
    await eventually(async () => ((await predict(cluster.gateway.url)).body.source === 'model' ? true : undefined), { timeoutMs: 10_000 });
    await fetch(`${cluster.gateway.url}/random`);

    const gateway = await scrape('gateway');
    expect(gateway).toMatch(/http_server_request_duration_bucket\{[^}]*http_route="\/v1\/predict"[^}]*\}/);
    expect(gateway).toMatch(/http_server_request_duration_bucket\{[^}]*http_response_status_code="200"/);
    expect(gateway).toMatch(/http_client_request_duration_bucket\{/);
    expect(gateway).toMatch(/http_server_active_requests\{/);
    expect(gateway).toMatch(/nodejs_eventloop_utilization\{/);
    expect(gateway).toMatch(/nodejs_eventloop_delay_p99\{/);
    expect(gateway).toMatch(/v8js_memory_heap_used\{/);
    expect(gateway).toMatch(/tracelab_gateway_predictions_total\{[^}]*source="fallback"/);
    expect(gateway).toMatch(/tracelab_fallback_invocations_total\{[^}]*reason="error"/);

    const model = await scrape('model-inference');
    expect(model).toMatch(/tracelab_model_score_bucket\{[^}]*model_version="churn-lr-1.0.0"[^}]*le="0.5"/);
    expect(model).toMatch(/tracelab_model_confidence_bucket\{/);
    expect(model).toMatch(/tracelab_model_predictions_total\{[^}]*prediction="(churn|stay)"/);
    expect(model).toMatch(/tracelab_model_input_tenure_months_bucket\{/);
    expect(model).toMatch(/tracelab_model_input_plan_total\{[^}]*plan="basic"/);
    expect(model).toMatch(/tracelab_random_value_bucket\{/);
    expect(model).toMatch(/tracelab_random_delay_bucket\{/);

    const rules = await scrape('fallback-rules');
    expect(rules).toMatch(/tracelab_rules_fired_total\{[^}]*rule="new_customer_high_spend"/);

    for (const text of [gateway, model, rules]) expect(text).not.toMatch(/customer_id|cust-123/);
  });
});

describe('the other gateway routes', () => {
  it('reports readiness of its dependencies', async () => {
    const response = await fetch(`${cluster.gateway.url}/readyz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ready', dependencies: { 'model-inference': true, 'fallback-rules': true } });
  });

  it('forwards /random to model-inference', async () => {
    const response = await fetch(`${cluster.gateway.url}/random`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { value: number; delay_ms: number };
    expect(typeof body.value).toBe('number');
    expect(body.delay_ms).toBeGreaterThanOrEqual(0);
  });
});

describe('bad input', () => {
  const cases: {
    name: string;
    body?: string;
    method?: string;
    path?: string;
    contentType?: string;
    status: number;
    code: string;
    mentions?: string;
  }[] = [
    { name: 'malformed JSON', body: '{"customer_id": ', status: 400, code: 'invalid_json' },
    { name: 'missing field', body: JSON.stringify({ customer_id: 'c' }), status: 400, code: 'invalid_request', mentions: 'features' },
    {
      name: 'wrong type',
      body: JSON.stringify({ customer_id: 'c', features: { ...FEATURES, tenure_months: 'ten' } }),
      status: 400,
      code: 'invalid_request',
      mentions: 'features.tenure_months',
    },
    {
      name: 'out of range',
      body: JSON.stringify({ customer_id: 'c', features: { ...FEATURES, support_tickets: -1 } }),
      status: 400,
      code: 'invalid_request',
      mentions: 'features.support_tickets',
    },
    {
      name: 'unknown plan',
      body: JSON.stringify({ customer_id: 'c', features: { ...FEATURES, plan: 'gold' } }),
      status: 400,
      code: 'invalid_request',
      mentions: 'features.plan',
    },
    {
      name: 'extra field',
      body: JSON.stringify({ customer_id: 'c', features: FEATURES, admin: true }),
      status: 400,
      code: 'invalid_request',
      mentions: 'admin',
    },
    { name: 'body not an object', body: '[1,2]', status: 400, code: 'invalid_request' },
    {
      name: 'oversized body',
      body: JSON.stringify({ customer_id: 'x'.repeat(20_000), features: FEATURES }),
      status: 413,
      code: 'payload_too_large',
    },
    { name: 'not JSON content type', body: 'tenure=3', contentType: 'text/plain', status: 415, code: 'unsupported_media_type' },
    { name: 'unknown route', path: '/v1/nope', method: 'GET', status: 404, code: 'not_found', mentions: '/v1/nope' },
    { name: 'wrong method', path: '/v1/predict', method: 'GET', status: 405, code: 'method_not_allowed', mentions: 'GET' },
  ];

  for (const c of cases) {
    it(`${c.name} → ${c.status} ${c.code}`, async () => {
      const response = await fetch(`${cluster.gateway.url}${c.path ?? '/v1/predict'}`, {
        method: c.method ?? 'POST',
        headers: c.body ? { 'content-type': c.contentType ?? 'application/json' } : {},
        body: c.body,
      });
      expect(response.status).toBe(c.status);
      const body = (await response.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe(c.code);
      if (c.mentions) expect(body.error.message).toContain(c.mentions);
      expect(JSON.stringify(body)).not.toMatch(/at .*\.js:\d+/); // no stack trace
      const traceId = response.headers.get('traceresponse')?.split('-')[1];
      expect(traceId).toMatch(/^[0-9a-f]{32}$/);
      await eventually(() => cluster.gateway.logs.find((l) => l.trace_id === traceId && l.level === 40 && l.msg === 'bad request'), {
        what: 'a warn log with the trace id',
      });
    });
  }
});

describe('the model control endpoint', () => {
  const control = (init: RequestInit) => fetch(`${cluster.model.url}/v1/control`, init);

  it('refuses callers without the token', async () => {
    expect((await control({ method: 'GET' })).status).toBe(401);
    expect((await control({ method: 'GET', headers: { authorization: 'Bearer wrong-token-value' } })).status).toBe(401);
    const put = await control({ method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"error_rate":1}' });
    expect(put.status).toBe(401);
    const current = await control({ method: 'GET', headers: { authorization: `Bearer ${CONTROL_TOKEN}` } });
    expect(((await current.json()) as { error_rate: number }).error_rate).toBe(0);
  });

  it('validates updates and names the bad field', async () => {
    const response = await control({
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${CONTROL_TOKEN}` },
      body: JSON.stringify({ error_rate: 2 }),
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { message: string } }).error.message).toContain('error_rate');
  });
});
