// The asynchronous hop on the real stack (docs/async-tracing.md): the gateway's prediction event
// goes through the stack's NATS JetStream; the model monitor's batch trace links to the request's
// producer span. Read back from Jaeger's two APIs, from Prometheus, and through `npm run why`.
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import type { TraceLinks, TraceReport } from '../../analysis';
import { jaegerClient } from '../../clients/jaeger';
import { repoRoot } from '../../local/paths';
import { launchChromium } from './browser';
import { eventually, jaegerTrace, predict, serviceOf, tag, URLS, waitForCompleteTrace, waitForSeries } from './support';

type LinkedReport = TraceReport & { links: TraceLinks };

async function whyJson(...args: string[]): Promise<LinkedReport> {
  const result = await execa('node', [path.join(repoRoot, 'dist/tools/cli/why.js'), ...args, '--json'], {
    reject: false,
    env: { NO_COLOR: '1' },
  });
  expect({ code: result.exitCode, stderr: String(result.stderr) }).toEqual({ code: 0, stderr: '' });
  return JSON.parse(String(result.stdout)) as LinkedReport;
}

async function whyText(...args: string[]): Promise<string> {
  const result = await execa('node', [path.join(repoRoot, 'dist/tools/cli/why.js'), ...args, '--no-logs'], {
    reject: false,
    env: { NO_COLOR: '1' },
  });
  expect(result.exitCode).toBe(0);
  return String(result.stdout);
}

/** A request and the batch trace that processed its event, as `npm run why` finds it. */
async function requestAndItsBatch(): Promise<{ traceId: string; producerSpanId: string; batchTraceId: string }> {
  const { body } = await predict();
  await waitForCompleteTrace(body.trace_id);
  const report = await eventually(
    async () => {
      const r = await whyJson(body.trace_id, '--no-logs');
      return r.links.processed_in[0]?.processed_by.length ? r : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 1000, what: `the batch that processed the event of ${body.trace_id}` },
  );
  const message = report.links.processed_in[0]!;
  return { traceId: body.trace_id, producerSpanId: message.producer_span_id, batchTraceId: message.processed_by[0]!.trace_id };
}

describe('the prediction event through the broker', () => {
  it('is sent after the response: a producer span in the request trace, off its critical path', async () => {
    const { body } = await predict();
    await waitForCompleteTrace(body.trace_id);
    const report = await eventually(
      async () => {
        const r = await whyJson(body.trace_id, '--no-logs');
        return r.spans.some((s) => s.kind === 'producer') ? r : undefined;
      },
      { what: `the producer span of ${body.trace_id}` },
    );
    const producer = report.spans.find((s) => s.kind === 'producer')!;
    expect(producer).toMatchObject({ service: 'gateway', operation: 'publish tracelab.predictions', async: true, on_critical_path: false });
    expect(producer.attributes).toMatchObject({ 'messaging.system': 'nats', 'messaging.destination.name': 'tracelab.predictions' });
    expect(report.warnings.join('\n')).not.toMatch(/skew/);
  });

  it('is processed in a batch trace of its own that links to it, in both Jaeger APIs', async () => {
    const { traceId, producerSpanId, batchTraceId } = await requestAndItsBatch();
    expect(batchTraceId).not.toBe(traceId);
    // OTLP JSON: the link as recorded.
    const otlp = JSON.stringify(await jaegerClient(URLS.jaeger).otlpTrace(batchTraceId));
    expect(otlp).toContain(producerSpanId);
    // Legacy JSON: Jaeger writes a link into another trace as a FOLLOWS_FROM reference.
    const legacy = (await jaegerTrace(batchTraceId))!;
    const batch = legacy.spans.find((s) => s.operationName === 'process tracelab.predictions')!;
    expect(serviceOf(legacy, batch)).toBe('model-inference');
    expect(tag(batch, 'span.kind')).toBe('consumer');
    expect(batch.references).toContainEqual({ refType: 'FOLLOWS_FROM', traceID: traceId, spanID: producerSpanId });
  });

  it('shows in `npm run why` both ways: processed in batch X; the batch links to the request', async () => {
    const { traceId, batchTraceId } = await requestAndItsBatch();
    expect(await whyText(traceId)).toContain(`processed in batch trace ${batchTraceId} (model-inference › process tracelab.predictions)`);
    const batch = await whyText(batchTraceId);
    expect(batch).toMatch(/Links to \d+ other trace\(s\)/);
    expect(batch).toContain(`trace ${traceId}`);
  });

  it("counts every answer by source in the monitor's metrics, in Prometheus", async () => {
    const before = await predict();
    expect(before.status).toBe(200);
    const samples = await waitForSeries('sum by (source) (tracelab_monitor_served_predictions_total{job="model-inference"})');
    expect(samples.map((s) => s.metric.source)).toContain('model');
    const lag = await waitForSeries('tracelab_monitor_lag_pending{job="model-inference"}');
    expect(Number(lag[0]!.value[1])).toBeGreaterThanOrEqual(0);
  });

  it("is stored by the stack's broker: its JetStream holds the two streams, the monitor's consumer and the events", async () => {
    const jsz = (await (await fetch(`${URLS.natsMonitor}/jsz`)).json()) as { streams: number; consumers: number; messages: number };
    expect(jsz.streams).toBe(2);
    expect(jsz.consumers).toBe(1);
    expect(jsz.messages).toBeGreaterThan(0);
  });
});

describe('the console', () => {
  let browser: Awaited<ReturnType<typeof launchChromium>> | undefined;
  afterAll(async () => {
    await browser?.close();
  });

  it('shows the links both ways in Chromium: request → its batch → the request again', async () => {
    const { traceId, batchTraceId } = await requestAndItsBatch();
    browser = await launchChromium();
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(`${URLS.console}/trace/${traceId}`);
    const toBatch = page.locator(`[data-testid="processed-in"] a[href="/trace/${batchTraceId}"]`);
    await toBatch.waitFor({ timeout: 30_000 });
    expect(await page.locator('[data-testid="processed-in"]').textContent()).toMatch(
      /After the response, publish tracelab\.predictions was processed in batch [0-9a-f]{32} \(model-inference · process tracelab\.predictions\)/,
    );
    await toBatch.click();
    await page.waitForSelector(`main[data-trace-id="${batchTraceId}"]`, { timeout: 30_000 });
    const toRequest = page.locator(`[data-testid="links-to"] a[href="/trace/${traceId}"]`);
    await toRequest.waitFor({ timeout: 30_000 });
    await toRequest.click();
    await page.waitForSelector(`main[data-trace-id="${traceId}"]`, { timeout: 30_000 });

    // The trace list marks both: the request sent a message, the batch links to other traces.
    await page.goto(`${URLS.console}/traces?service=gateway&lookback=15m&limit=100`);
    const requestRow = page.locator(`tr[data-trace-id="${traceId}"]`);
    await requestRow.waitFor({ timeout: 30_000 });
    expect(await requestRow.locator('[data-testid="mark-sent"]').textContent()).toBe('✉ 1 message sent');
    expect(await requestRow.locator('[data-testid="mark-links"]').count()).toBe(0);
    const batchSearch = new URLSearchParams({
      service: 'model-inference',
      operation: 'process tracelab.predictions',
      lookback: '15m',
      limit: '100',
    });
    await page.goto(`${URLS.console}/traces?${batchSearch}`);
    const batchRow = page.locator(`tr[data-trace-id="${batchTraceId}"]`);
    await batchRow.waitFor({ timeout: 30_000 });
    expect(await batchRow.locator('[data-testid="mark-links"]').textContent()).toMatch(/^🔗 links \d+ traces?$/);
    expect(await batchRow.locator('[data-testid="mark-sent"]').count()).toBe(0);
  });
});
