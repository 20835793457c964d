// End to end through the real pipeline: services → Collector → Jaeger / Prometheus / VictoriaLogs.
// Every assertion reads a backend's own HTTP API, polling with a deadline.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  burst,
  eventually,
  type JaegerTrace,
  logsQuery,
  newestExemplarTraceId,
  predict,
  promQuery,
  randomHex,
  restoreHealthyModel,
  SERVICE_NAMES,
  serviceOf,
  setModelBehaviour,
  stackControl,
  tag,
  URLS,
  waitForLogs,
  waitForSeries,
  waitForTrace,
} from './support';

afterEach(async () => {
  await restoreHealthyModel();
});

const serverSpan = (t: JaegerTrace, service: string) =>
  t.spans.find((s) => serviceOf(t, s) === service && tag(s, 'span.kind') === 'server')!;

function expectChildOfClientIn(t: JaegerTrace, service: string, caller: string): void {
  const span = serverSpan(t, service);
  const parentId = span.references.find((r) => r.refType === 'CHILD_OF')?.spanID;
  const parent = t.spans.find((s) => s.spanID === parentId);
  expect(parent, `${service}'s server span has its parent in the trace`).toBeDefined();
  expect(serviceOf(t, parent!)).toBe(caller);
  expect(tag(parent!, 'span.kind')).toBe('client');
}

describe('traces in Jaeger', () => {
  let traceId: string;
  let callerSpanId: string;

  beforeAll(async () => {
    traceId = randomHex(16);
    callerSpanId = randomHex(8);
    // The model fails for this request, so the gateway also asks fallback-rules: three services.
    await setModelBehaviour({ error_rate: 1 });
    const { status, body } = await predict({ traceparent: `00-${traceId}-${callerSpanId}-01`, baggage: 'tracelab.lesson=e2e' });
    expect(status).toBe(200);
    expect(body).toMatchObject({ source: 'fallback', fallback_reason: 'error', trace_id: traceId });
  });

  it('stores the trace under the incoming trace id with spans from all three services', async () => {
    const t = await waitForTrace(traceId, ['gateway', 'model-inference', 'fallback-rules']);
    const gateway = serverSpan(t, 'gateway');
    expect(gateway.references.find((r) => r.refType === 'CHILD_OF')?.spanID).toBe(callerSpanId);
    expect(tag(gateway, 'http.route')).toBe('/v1/predict');
    expect(tag(gateway, 'http.response.status_code')).toBe(200);
    expect(t.spans.find((s) => s.operationName === 'fallback.decide')).toBeDefined();
    expect(tag(t.spans.find((s) => s.operationName === 'model.infer')!, 'error')).toBe(true);
  });

  it('links each callee server span to its caller client span across processes', async () => {
    const t = await waitForTrace(traceId, ['gateway', 'model-inference', 'fallback-rules']);
    expectChildOfClientIn(t, 'model-inference', 'gateway');
    expectChildOfClientIn(t, 'fallback-rules', 'gateway');
  });

  it('derives the service dependency graph from the traces', async () => {
    await eventually(
      async () => {
        const end = Date.now();
        const response = await fetch(`${URLS.jaeger}/api/dependencies?endTs=${end}&lookback=3600000`);
        const links = ((await response.json()) as { data: { parent: string; child: string }[] }).data;
        const edges = new Set(links.map((l) => `${l.parent}->${l.child}`));
        return edges.has('gateway->model-inference') && edges.has('gateway->fallback-rules') ? true : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 1000, what: 'gateway edges in /api/dependencies' },
    );
  });
});

describe('metrics in Prometheus', () => {
  beforeAll(async () => {
    await setModelBehaviour({ error_rate: 0.3 });
    expect((await burst(40)).every((s) => s === 200)).toBe(true);
  });

  for (const job of SERVICE_NAMES) {
    it(`has the golden signals of ${job}`, async () => {
      // latency + traffic + errors: the server duration histogram by route and status
      const latency = await waitForSeries(`http_server_request_duration_bucket{job="${job}", http_route!=""}`);
      expect(latency.some((s) => s.metric.http_response_status_code === '200')).toBe(true);
      // saturation
      await waitForSeries(`nodejs_eventloop_utilization{job="${job}"}`);
      await waitForSeries(`http_server_active_requests{job="${job}"}`);
      await waitForSeries(`v8js_memory_heap_used{job="${job}"}`);
    });
  }

  it('has the model metrics and the fallback counter', async () => {
    await waitForSeries('tracelab_model_score_bucket{job="model-inference"}');
    await waitForSeries('tracelab_model_predictions_total{model_version="churn-lr-1.0.0"}');
    await waitForSeries('tracelab_fallback_invocations_total{job="gateway", reason="error"}');
    await waitForSeries('tracelab_rules_fired_total{job="fallback-rules"}');
  });

  it('has spanmetrics (RED per operation) with exemplars that point at stored traces', async () => {
    await waitForSeries('traces_span_metrics_calls_total{service_name="gateway", span_kind="SPAN_KIND_SERVER"}');
    // Client spans carry peer.service: per-edge traffic by name, the service graph's data.
    await waitForSeries(
      'traces_span_metrics_calls_total{service_name="gateway", span_kind="SPAN_KIND_CLIENT", peer_service="model-inference"}',
    );
    // The newest exemplar of a request made now (Prometheus keeps data across stack restarts;
    // Jaeger's in-memory store does not).
    const since = Date.now();
    await predict();
    const exemplarTraceId = await newestExemplarTraceId('traces_span_metrics_duration_milliseconds_bucket{service_name="gateway"}', since);
    await waitForTrace(exemplarTraceId, ['gateway']);
  });

  it("feeds Jaeger's Monitor (SPM) API for the gateway", async () => {
    await eventually(
      async () => {
        const params = new URLSearchParams({
          service: 'gateway',
          endTs: String(Date.now()),
          lookback: '600000',
          step: '5000',
          ratePer: '60000',
          spanKind: 'server',
        });
        const response = await fetch(`${URLS.jaeger}/api/metrics/calls?${params}`);
        if (!response.ok) throw new Error(`${response.status} ${await response.text()}`);
        const body = (await response.json()) as { metrics: { metricPoints: { gaugeValue: { doubleValue: number } }[] }[] };
        return body.metrics.some((m) => m.metricPoints.some((p) => p.gaugeValue.doubleValue > 0)) ? true : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 2000, what: 'SPM call rates for gateway' },
    );
  });
});

describe('logs in VictoriaLogs', () => {
  it("finds a request's log lines by service and by trace id, with the span ids of its trace", async () => {
    const { body } = await predict();
    const traceId: string = body.trace_id;
    const services = (rows: Record<string, string>[]) => new Set(rows.map((r) => r['service.name']));
    // Each service exports its own log batches: wait until both have arrived.
    const byTrace = await waitForLogs(`trace_id:${traceId}`, (rows) => services(rows).size === 2);
    expect(services(byTrace)).toEqual(new Set(['gateway', 'model-inference']));
    const t = await waitForTrace(traceId, ['gateway', 'model-inference']);
    const spanIds = new Set(t.spans.map((s) => s.spanID));
    for (const record of byTrace) expect(spanIds.has(record.span_id!), `log span_id ${record.span_id}`).toBe(true);

    const byService = await waitForLogs(`{service.name="gateway"} trace_id:${traceId} "request completed"`);
    expect(byService.length).toBeGreaterThanOrEqual(1);
  });
});

describe('privacy', () => {
  it('redacts secrets and e-mail addresses before they are stored', async () => {
    const secret = `s3cr3t-${randomHex(6)}`;
    const email = `alice.${randomHex(3)}@example.com`;
    // user_agent.original is recorded on server spans: a realistic way for junk to get in.
    const { body } = await predict({ 'user-agent': `lesson-client (${email}; Bearer ${secret})`, authorization: `Bearer ${secret}` });
    const t = await waitForTrace(body.trace_id, ['gateway', 'model-inference']);
    const stored = JSON.stringify(t);
    expect(tag(serverSpan(t, 'gateway'), 'user_agent.original')).toBeDefined();
    expect(stored).not.toContain(secret);
    expect(stored).not.toContain(email);
    expect(stored).toContain('lesson-client');

    const logs = await waitForLogs(`trace_id:${body.trace_id}`);
    expect(JSON.stringify(logs)).not.toContain(secret);
    expect(JSON.stringify(logs)).not.toContain(email);
  });
});

describe('a telemetry outage', () => {
  it('fails no user request when the collector is killed mid-run', async () => {
    const statuses: number[] = [];
    const load = (async () => {
      for (let i = 0; i < 4; i++) statuses.push(...(await burst(30, 6)));
    })();
    await eventually(() => (statuses.length >= 30 ? true : undefined), { what: 'load to start' });
    await stackControl('kill', 'collector');
    await load;
    expect(statuses).toHaveLength(120);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    // With the collector back, telemetry flows again.
    await stackControl('restart', 'collector');
    const { body } = await predict();
    await waitForTrace(body.trace_id, ['gateway']);
  });
});

describe('logs and metrics stay quiet about customers', () => {
  it('stores no customer id anywhere', async () => {
    // Every request in these tests carries customer_id "cust-123" (test/support/requests.ts).
    expect(await logsQuery('"cust-123"')).toEqual([]);
    expect(await promQuery('{customer_id!=""}')).toEqual([]);
  });
});
