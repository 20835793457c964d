// The links between signals really resolve, the way Grafana's links use them: a log record found
// by LogsQL names a trace that Jaeger has; a metric exemplar's trace id opens that trace; and a
// trace's id finds its logs again (metric → trace → logs → trace).
import { describe, expect, it } from 'vitest';
import { newestExemplarTraceId, predict, serverServices, waitForCompleteTrace, waitForLogs, waitForTrace } from './support';

const servicesOf = (rows: Record<string, string>[]) => new Set(rows.map((l) => l['service.name']));

describe('signal correlations', () => {
  it('goes log → trace → logs', async () => {
    const { body } = await predict();
    // A log line found the way a person would: by service and message.
    const lines = await waitForLogs(`{service.name="model-inference"} "request completed" trace_id:${body.trace_id}`);
    const traceId = lines[0]!.trace_id!;
    expect(traceId).toBe(body.trace_id);

    // The VictoriaLogs derived field `trace_id` opens this trace in Jaeger.
    const trace = await waitForTrace(traceId, ['gateway', 'model-inference']);
    expect(trace.traceID).toBe(traceId);

    // Jaeger → logs: the query the Jaeger datasource's tracesToLogsV2 link runs.
    const logs = await waitForLogs(`trace_id:"${traceId}"`, (rows) => servicesOf(rows).size === 2);
    expect(servicesOf(logs)).toEqual(new Set(['gateway', 'model-inference']));
  });

  it('goes metric exemplar → trace → logs → trace', async () => {
    const since = Date.now();
    await predict();
    // The series behind the golden-signals panel "Latency p99 by operation, with exemplars". The
    // newest exemplar is any request of the last spanmetrics flush, not necessarily this one (an
    // earlier test's fallback, say), so the trace itself says which services must have logged.
    const traceId = await newestExemplarTraceId(
      'traces_span_metrics_duration_milliseconds_bucket{service_name="gateway", span_kind="SPAN_KIND_SERVER"}',
      since,
    );
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);

    const trace = await waitForCompleteTrace(traceId);
    expect(trace.traceID).toBe(traceId);
    const services = serverServices(trace);
    expect(services).toContain('gateway');

    const logs = await waitForLogs(`trace_id:"${traceId}"`, (rows) => servicesOf(rows).size === services.size);
    expect(servicesOf(logs)).toEqual(services);
    // Every line carries the id its derived field links back to Jaeger with.
    expect(new Set(logs.map((l) => l.trace_id))).toEqual(new Set([traceId]));
  });
});
