// The console as a traced client and as an accessible page, in a real Chromium against the real
// stack: a prediction sent from the browser starts its trace there (the OpenTelemetry web SDK,
// exported through the console to the collector) and continues through the gateway and beyond;
// every page passes axe-core with no serious or critical violation.
import fs from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dependenciesOf, loadTrace } from '../../analysis/index';
import { launchChromium, screenshot } from './browser';
import { sendForeignAppTrace, waitForSpanCount } from './console-support';
import { restoreHealthyModel, URLS, waitForCompleteTrace } from './support';

const CONSOLE = URLS.console;
const AXE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
let browser: Browser;
let page: Page;

beforeAll(async () => {
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.on('pageerror', (error) => console.error(`[browser] ${error.message}`));
  await restoreHealthyModel();
});

afterAll(async () => {
  await browser?.close();
});

describe('console in the browser', () => {
  it('sends a prediction whose trace starts in the browser and continues through the gateway, then opens it', async () => {
    await page.goto(`${CONSOLE}/traces`);
    const initialScripts = await page.$$eval('script[src]', (s) => s.map((e) => (e as HTMLScriptElement).src));
    await page.click('details.send-prediction summary');
    const exports: number[] = [];
    page.on('response', (response) => {
      if (response.url().endsWith('/otlp/v1/traces')) exports.push(response.status());
    });
    await page.click('form.prediction-form button[type="submit"]');
    await page.waitForURL(/\/trace\/[0-9a-f]{32}$/, { timeout: 90_000 });
    const traceId = page.url().split('/').at(-1)!;
    await page.waitForSelector(`main[data-trace-id="${traceId}"][data-render-ms]`, { timeout: 30_000 });
    // The web SDK came on demand: not among the page's initial scripts.
    expect(initialScripts.some((src) => /browserTracing/.test(src))).toBe(false);
    expect(exports.length).toBeGreaterThan(0);
    expect(exports.every((status) => status === 200)).toBe(true);

    // Jaeger's copy: one root, the browser's; its fetch span is the gateway server span's parent;
    // the request went on to the model or the rules; nothing is missing.
    await waitForCompleteTrace(traceId);
    const trace = await loadTrace(traceId, { jaegerUrl: URLS.jaeger });
    const byId = new Map(trace.spans.map((s) => [s.spanId, s]));
    expect(trace.roots).toHaveLength(1);
    const root = byId.get(trace.roots[0]!)!;
    expect(root.service).toBe('console-browser');
    expect(root.name).toBe('send prediction');
    const gatewayServer = trace.spans.find((s) => s.service === 'gateway' && s.kind === 'server')!;
    const browserClient = byId.get(gatewayServer.parentId!)!;
    expect(browserClient.service).toBe('console-browser');
    expect(browserClient.kind).toBe('client');
    expect(browserClient.parentId).toBe(root.spanId);
    expect(trace.spans.some((s) => s.service === 'model-inference' || s.service === 'fallback-rules')).toBe(true);
    expect(trace.orphans).toEqual([]);
    expect(dependenciesOf(trace)).toEqual([]);
    const firstRow = await page.$eval('.wf-row[data-span-id]', (e) => [e.getAttribute('data-span-id'), e.getAttribute('data-service')]);
    expect(firstRow).toEqual([root.spanId, 'console-browser']);
    await screenshot(page, 'trace-from-browser');
  });

  it('refuses OTLP from another origin and from clients that do not say where they come from', async () => {
    const post = (headers: Record<string, string>) =>
      fetch(`${CONSOLE}/otlp/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: '{}' });
    const refused: Record<string, string>[] = [{}, { origin: 'http://evil.example' }, { 'sec-fetch-site': 'cross-site' }];
    for (const headers of refused) {
      const answer = await post(headers);
      expect(answer.status, JSON.stringify(headers)).toBe(403);
      expect(((await answer.json()) as { error: { code: string } }).error.code).toBe('cross_origin');
    }
  });

  it('has no serious or critical accessibility violation on any page (axe-core)', async () => {
    const foreign = await sendForeignAppTrace();
    await waitForSpanCount(foreign.traceId, foreign.spanCount);
    const pages: [string, string][] = [
      ['/traces', 'table.traces, .state'],
      [`/trace/${foreign.traceId}`, 'main[data-render-ms]'],
      [`/trace/${foreign.traceId}?q=db.system%3Dredis&cp=1`, 'main[data-render-ms]'],
      [`/trace/${foreign.traceId}/vs/${foreign.traceId}`, 'table.compare'],
      ['/services', 'svg.service-map, .state'],
      ['/signals', 'figure.chart canvas, .state'],
      ['/lab', 'li[data-scenario]'],
      ['/docs/runbooks', '.markdown, .state'],
    ];
    const found: string[] = [];
    for (const [path, ready] of pages) {
      await page.goto(`${CONSOLE}${path}`);
      await page.waitForSelector(ready, { timeout: 30_000 });
      await page.addScriptTag({ content: AXE });
      const violations = await page.evaluate(async () => {
        const axe = (window as unknown as { axe: { run: (context: Document) => Promise<{ violations: AxeViolation[] }> } }).axe;
        interface AxeViolation {
          id: string;
          impact: string;
          help: string;
          nodes: { target: string[] }[];
        }
        const result = await axe.run(document);
        return result.violations.map((v) => ({
          id: v.id,
          impact: v.impact,
          help: v.help,
          targets: v.nodes.slice(0, 3).map((n) => n.target.join(' ')),
        }));
      });
      for (const v of violations) console.log(`[axe] ${path}: ${v.impact} ${v.id}: ${v.help} (${v.targets.join(', ')})`);
      found.push(
        ...violations
          .filter((v) => v.impact === 'serious' || v.impact === 'critical')
          .map((v) => `${path}: ${v.id} (${v.targets.join(', ')})`),
      );
    }
    expect(found).toEqual([]);
  });
});
