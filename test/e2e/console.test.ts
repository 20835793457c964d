// The console in a real Chromium against the real native stack (started by global-setup with the
// console as its last process): a fresh request's trace drawn with Jaeger's spans, services and
// a critical path that holds together; its log lines from VictoriaLogs under their spans;
// keyboard navigation; the service map's edges against Jaeger's dependencies; a lab scenario
// turned on from /lab showing in the next trace; a 5,000-span trace's time to first paint.
// Screenshots of every page go to .tracelab/e2e/screenshots.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeTrace, loadTrace } from '../../analysis/index';
import { launchChromium, screenshot } from './browser';
import { sendSyntheticTrace, waitForSpanCount } from './console-support';
import { eventually, logsQuery, predict, randomHex, restoreHealthyModel, tag, URLS, waitForCompleteTrace } from './support';

const CONSOLE = URLS.console;
const EDGE_LABEL = /\d req\/s · [\d.]+ % errors · p99 [\d.]+ (ms|s|µs)/;
/** The broker node of the prediction events on the service map: messaging.system and destination. */
const BROKER = 'nats tracelab.predictions';
let browser: Browser;
let page: Page;

beforeAll(async () => {
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.on('pageerror', (error) => console.error(`[browser] ${error.message}`));
});

afterAll(async () => {
  await browser?.close();
  await restoreHealthyModel();
});

interface Row {
  spanId: string;
  service: string;
  critical: boolean;
  stripes: number;
}

async function openTrace(traceId: string): Promise<{ rows: Row[]; renderMs: number; analysisMs: number }> {
  await page.goto(`${CONSOLE}/trace/${traceId}`);
  await page.waitForSelector(`main[data-trace-id="${traceId}"][data-render-ms]`, { timeout: 30_000 });
  const renderMs = Number(await page.getAttribute('main[data-render-ms]', 'data-render-ms'));
  const analysisMs = Number(await page.getAttribute('main[data-render-ms]', 'data-analysis-ms'));
  const rows = await page.$$eval('.wf-row[data-span-id]', (elements) =>
    elements.map((e) => ({
      spanId: e.getAttribute('data-span-id')!,
      service: e.getAttribute('data-service')!,
      critical: e.getAttribute('data-critical') === 'true',
      stripes: e.querySelectorAll('.wf-crit').length,
    })),
  );
  return { rows, renderMs, analysisMs };
}

/** A prediction whose trace is complete in Jaeger and whose log lines are in VictoriaLogs. */
async function freshTrace() {
  const { body } = await predict();
  const traceId = body.trace_id as string;
  const source = body.source as string;
  const jaeger = await waitForCompleteTrace(traceId);
  // Lines arrive in batches per service: take them once both services' are in and the count
  // has stopped changing between two polls.
  let previous = -1;
  const logs = await eventually(
    async () => {
      const rows = await logsQuery(`trace_id:${traceId}`, 1000);
      const services = new Set(rows.map((r) => r['service.name']));
      const settled = rows.length === previous;
      previous = rows.length;
      return services.has('gateway') && services.has(source === 'model' ? 'model-inference' : 'fallback-rules') && settled
        ? rows
        : undefined;
    },
    { timeoutMs: 30_000, intervalMs: 1000, what: `all log lines of ${traceId}` },
  );
  return { traceId, jaeger, logs, source };
}

describe('console', () => {
  it('draws a fresh trace as Jaeger has it, with its critical path, its log lines, and keyboard navigation', async () => {
    await restoreHealthyModel();
    const { traceId, jaeger, logs, source } = await freshTrace();
    expect(source).toBe('model');
    const { rows } = await openTrace(traceId);

    // Every span of Jaeger's trace is a row, with its service.
    const service = new Map(jaeger.spans.map((s) => [s.spanID, jaeger.processes[s.processID]!.serviceName]));
    expect(rows.map((r) => r.spanId).sort()).toEqual([...service.keys()].sort());
    for (const row of rows) expect(row.service, row.spanId).toBe(service.get(row.spanId));

    // The critical path, checked against Jaeger's own tree: this request was answered by the
    // model, so the path runs from the gateway's root through its call to the model down to
    // model.infer. Each marked row draws its stripe.
    const parent = new Map(jaeger.spans.map((s) => [s.spanID, s.references.find((r) => r.refType === 'CHILD_OF')?.spanID]));
    const critical = new Set(rows.filter((r) => r.critical).map((r) => r.spanId));
    const root = jaeger.spans.find((s) => !parent.get(s.spanID))!;
    const infer = jaeger.spans.find((s) => s.operationName === 'model.infer')!;
    const modelServer = jaeger.spans.find((s) => service.get(s.spanID) === 'model-inference' && tag(s, 'span.kind') === 'server')!;
    const modelCall = parent.get(modelServer.spanID)!;
    expect(service.get(modelCall)).toBe('gateway');
    for (const id of [root.spanID, infer.spanID]) expect(critical.has(id), id).toBe(true);
    // The call's own time may be none: the SDK records starts to the ms, so a server span that
    // started in the call's millisecond and outlived it (docs/why.md) covers the whole call.
    expect(critical.has(modelCall) || critical.has(modelServer.spanID), `${modelCall} or ${modelServer.spanID}`).toBe(true);
    for (const row of rows) expect(row.stripes > 0, row.spanId).toBe(row.critical);
    // One row per line: no two rows drawn at the same height.
    const tops = await page.$$eval('.wf-row', (elements) => elements.map((e) => e.getBoundingClientRect().top));
    expect(new Set(tops).size).toBe(tops.length);
    // The verdict names the operation with the largest share of the critical path, as the analysis
    // library finds it in Jaeger's own copy of the trace (the console must not compute its own).
    const report = analyzeTrace(await loadTrace(traceId, { jaegerUrl: URLS.jaeger }));
    const top = [...report.self_time].sort((a, b) => b.share - a.share)[0]!;
    expect(await page.textContent('[data-testid="verdict"]')).toContain(`${top.service} › ${top.operation}`);

    // The trace's log lines: as many as VictoriaLogs holds, each under the span that wrote it.
    const logRows = await page.$$eval('.wf-row.log', (elements) => elements.map((e) => e.getAttribute('data-log-span-id')));
    expect(logRows).toHaveLength(logs.length);
    const spanOfLog = new Set(logs.map((l) => l.span_id));
    for (const spanId of logRows) expect(spanOfLog.has(spanId!) && service.has(spanId!), `log under ${spanId}`).toBe(true);
    expect(await page.$$eval('table.logs tbody tr', (r) => r.length)).toBe(logs.length);
    await screenshot(page, 'trace');

    // Keyboard: the tree takes focus, ↓ moves to the next span and shows its details, ← on the
    // root folds the whole trace into one row, → unfolds it.
    await page.focus('[role="tree"]');
    await page.keyboard.press('Home');
    await page.keyboard.press('ArrowDown');
    const active = await page.getAttribute('[role="tree"]', 'aria-activedescendant');
    expect(active).toMatch(/^wf-(span|log)-/);
    await page.keyboard.press('Home');
    await page.keyboard.press('ArrowLeft');
    expect(await page.$$eval('.wf-row[data-span-id]', (r) => r.length)).toBe(1);
    await page.keyboard.press('ArrowRight');
    expect(await page.$$eval('.wf-row[data-span-id]', (r) => r.length)).toBe(rows.length);

    // Compare mode with a second request.
    const second = await freshTrace();
    await page.goto(`${CONSOLE}/trace/${traceId}/vs/${second.traceId}`);
    await page.waitForSelector('table.compare');
    expect(await page.textContent('main')).toContain(second.traceId);
    await screenshot(page, 'compare');
  });

  it('says what to do for a trace that is not there and for a malformed id', async () => {
    await page.goto(`${CONSOLE}/trace/${randomHex(16)}`);
    expect(await (await page.waitForSelector('.state.failure')).textContent()).toMatch(/not found in Jaeger/);
    await page.goto(`${CONSOLE}/trace/not-a-trace`);
    expect(await (await page.waitForSelector('.state.failure')).textContent()).toMatch(/32 hexadecimal digits/);
  });

  it('lists recent traces and opens one', async () => {
    const { traceId } = await freshTrace();
    await page.goto(`${CONSOLE}/traces?service=gateway&lookback=5m&limit=500`);
    const link = await page.waitForSelector(`tr[data-trace-id="${traceId}"] a`, { timeout: 15_000 });
    await screenshot(page, 'traces');
    await link.click();
    await page.waitForSelector(`main[data-trace-id="${traceId}"][data-render-ms]`);
  });

  it('draws the service map with Jaeger’s dependency edges, labelled from Prometheus, each opening its traces', async () => {
    const expected = await eventually(
      async () => {
        const response = await fetch(`${URLS.jaeger}/api/dependencies?endTs=${Date.now()}&lookback=3600000`);
        const deps = ((await response.json()) as { data: { parent: string; child: string }[] }).data ?? [];
        const edges = deps.filter((d) => d.parent !== d.child).map((d) => `${d.parent}->${d.child}`);
        return edges.includes('gateway->model-inference') ? edges.sort() : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 1000, what: 'Jaeger dependencies with gateway->model-inference' },
    );
    // Labels come from span metrics: wait until the model edge has a rate.
    const edges = await eventually(
      async () => {
        await page.goto(`${CONSOLE}/services`);
        await page.waitForSelector('svg.service-map');
        const found = await page.$$eval('table.edges tbody tr', (trs) => trs.map((tr) => [tr.getAttribute('data-edge')!, tr.textContent!]));
        const model = found.find(([edge]) => edge === 'gateway->model-inference');
        const hops = found.filter(([edge]) => edge!.includes(BROKER));
        return model && EDGE_LABEL.test(model[1]!) && hops.length === 2 ? found : undefined;
      },
      {
        timeoutMs: 60_000,
        intervalMs: 2000,
        what: 'the service map to label gateway->model-inference with a rate, and to draw the broker hop',
      },
    );
    // Jaeger's dependencies leave the broker out; the map adds its hop from the producer and
    // consumer spans: the gateway sends prediction events, the model monitor processes them.
    const withBroker = [...expected, `gateway->${BROKER}`, `${BROKER}->model-inference`].sort();
    expect(edges.map(([edge]) => edge).sort()).toEqual(withBroker);
    const drawn = await page.$$eval('svg a.map-edge', (as) => as.map((a) => a.getAttribute('data-edge')!));
    expect(drawn.sort()).toEqual(withBroker);
    const dashed = await page.$$eval('svg a.map-edge-async', (as) => as.map((a) => a.getAttribute('data-edge')!));
    expect(dashed.sort()).toEqual([`gateway->${BROKER}`, `${BROKER}->model-inference`].sort());
    expect(await page.locator(`svg g.map-broker[data-service="${BROKER}"]`).count()).toBe(1);
    await screenshot(page, 'services');

    // The receiving side of the hop opens the consumer's spans on that destination.
    await page.focus(`svg a.map-edge[data-edge="${BROKER}->model-inference"]`);
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/traces\?/);
    const hopSearch = new URL(page.url()).searchParams;
    expect([hopSearch.get('service'), hopSearch.get('tags')]).toEqual([
      'model-inference',
      JSON.stringify({ 'messaging.destination.name': 'tracelab.predictions' }),
    ]);
    await page.waitForSelector('table.traces tbody tr [data-testid="mark-links"]');
    await page.goto(`${CONSOLE}/services`);
    await page.waitForSelector(`svg a.map-edge[data-edge="gateway->model-inference"]`);

    // By keyboard, as the map's links are reachable: a pointer click aims at the middle of the
    // link's box, which for a curved edge can be empty canvas.
    await page.focus('svg a.map-edge[data-edge="gateway->model-inference"]');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/traces\?/);
    expect(new URL(page.url()).searchParams.get('sort')).toBe('slowest');
    await page.waitForSelector('table.traces tbody tr');
  });

  it('shows golden signals with exemplar dots that open their trace', async () => {
    await page.goto(`${CONSOLE}/signals?service=gateway`);
    await page.waitForSelector('figure.chart canvas');
    await eventually(
      async () => {
        await page.reload();
        // The exemplar links sit in a closed <details>: present, not visible.
        return (await page.waitForSelector('.exemplars a', { state: 'attached', timeout: 20_000 }).catch(() => null)) ? true : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 1000, what: 'exemplars on the gateway latency chart' },
    );
    await screenshot(page, 'signals');
    const href = (await page.getAttribute('.exemplars a', 'href'))!;
    expect(href).toMatch(/^\/trace\/[0-9a-f]{32}$/);
  });

  it('turns a lab scenario on from /lab and the next trace shows it', async () => {
    await page.goto(`${CONSOLE}/lab`);
    const toggle = await page.waitForSelector('li[data-scenario="slow-fallback"] button[aria-pressed]');
    await toggle.click();
    await page.waitForSelector('li[data-scenario="slow-fallback"] button[aria-pressed="true"]');

    // The model now fails and the rules service takes ~600 ms: every answer comes from the
    // fallback, and the request's time is the fallback's. Take the first fallback answer.
    const traceId = await eventually(
      async () => {
        const { body } = await predict();
        return body.source === 'fallback' ? (body.trace_id as string) : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 100, what: 'a prediction answered by the fallback' },
    );
    const jaeger = await waitForCompleteTrace(traceId);
    const { rows } = await openTrace(traceId);
    expect(await page.textContent('[data-testid="verdict"]')).toMatch(/fallback-rules/);
    // The fallback is on the critical path: the gateway waited for the rules service.
    const fallbackServer = jaeger.spans.find(
      (s) => jaeger.processes[s.processID]!.serviceName === 'fallback-rules' && tag(s, 'span.kind') === 'server',
    )!;
    expect(rows.find((r) => r.spanId === fallbackServer.spanID)?.critical).toBe(true);

    await page.goto(`${CONSOLE}/lab`);
    await page.waitForSelector('li[data-scenario="slow-fallback"] button[aria-pressed="true"]');
    await screenshot(page, 'lab');
    await page.click('text=Reset everything');
    await page.waitForSelector('li[data-scenario="slow-fallback"] button[aria-pressed="false"]');
  });

  it('draws a 5,000-span trace fast', async () => {
    const traceId = randomHex(16);
    await sendSyntheticTrace(traceId, 5000);
    await waitForSpanCount(traceId, 5000);
    const { renderMs, analysisMs } = await openTrace(traceId);
    const height = await page.$eval('.wf-body > div', (e) => (e as HTMLElement).style.height);
    expect(height).toBe(`${5000 * 24}px`); // every span has its row (drawn as it scrolls into view)
    console.log(
      `[console] 5,000-span trace: data → first full paint ${renderMs.toFixed(0)} ms (target < 300 ms): analysis ${analysisMs.toFixed(0)} ms, layout and drawing ${(renderMs - analysisMs).toFixed(0)} ms`,
    );
    expect(renderMs).toBeGreaterThan(0);
  });
});
