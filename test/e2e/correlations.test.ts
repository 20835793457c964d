// The links between signals really resolve: a log record found by LogsQL names a trace that
// Jaeger has, and that trace's logs are found again by its id (what Grafana's links do).
import { describe, expect, it } from 'vitest';
import { predict, waitForLogs, waitForTrace } from './support';

describe('signal correlations', () => {
  it('goes log → trace → logs', async () => {
    const { body } = await predict();
    // A log line found the way a person would: by service and message, newest first.
    const lines = await waitForLogs(`{service.name="model-inference"} "request completed" trace.id:${body.trace_id}`);
    const traceId = lines[0]!['trace.id']!;
    expect(traceId).toBe(body.trace_id);

    const trace = await waitForTrace(traceId, ['gateway', 'model-inference']);
    expect(trace.traceID).toBe(traceId);

    // Jaeger → logs: the query the Jaeger datasource's tracesToLogsV2 link runs.
    const services = (rows: Record<string, string>[]) => new Set(rows.map((l) => l['service.name']));
    const logs = await waitForLogs(`trace.id:"${traceId}"`, (rows) => services(rows).size === 2);
    expect(services(logs)).toEqual(new Set(['gateway', 'model-inference']));
  });
});
