// A cold start is staged (tools/runner/supervisor.ts): the services, the collector, Jaeger and the
// console run while a backend is still being built. Here VictoriaLogs is that backend: the
// builder the runner is given holds its build back until the test lets it finish; every other
// part is the real stack. Meanwhile the services answer, traces reach Jaeger, the console says
// what is building, and the logs sent meanwhile wait in the collector's persistent queue until
// VictoriaLogs is up, where they are then found.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jaegerClient } from '../../clients/jaeger';
import { victoriaLogsClient } from '../../clients/victorialogs';
import { eventually } from '../../clients/wait';
import { URLS } from '../../local/addresses';
import { stateDir } from '../../local/paths';
import { type Builder, binaryCache } from '../../tools/backends/cache';
import { type Stack, startStack } from '../../tools/runner/supervisor';
import { launchChromium, screenshot } from '../e2e/browser';
import { predictAt } from '../support/requests';

const HELD = 'victorialogs';
/** What the builder says the held build will take: the banner's estimate counts down from it. */
const HELD_ESTIMATE_S = 600;

/** The real binary cache, except that the held backend's build ends only when `release()` is called. */
function holdingBuilder(): Builder & { release(): void } {
  const gate: { open?: () => void } = {};
  const released = new Promise<void>((resolve) => {
    gate.open = resolve;
  });
  let isReleased = false;
  return {
    pendingSeconds: (name) => (name === HELD && !isReleased ? HELD_ESTIMATE_S : binaryCache.pendingSeconds(name)),
    async build(names, onBuilt) {
      await binaryCache.build(
        names.filter((name) => name !== HELD),
        onBuilt,
      );
      if (!names.includes(HELD)) return;
      await released;
      await binaryCache.build([HELD], onBuilt);
    },
    release() {
      isReleased = true;
      gate.open?.();
    },
  };
}

interface StackStatusAnswer {
  known: boolean;
  ready: boolean;
  pending: { title: string; state: string; secondsLeft?: number }[];
}
const consoleStatus = async () => (await (await fetch(`${URLS.console}/api/stack/status`)).json()) as StackStatusAnswer;

describe('a staged start: VictoriaLogs still building', () => {
  const builder = holdingBuilder();
  let stack: Stack;
  const traceIds: string[] = [];

  beforeAll(async () => {
    stack = await startStack({
      log: (line) => console.log(`[staged] ${line}`),
      controlToken: 'staged-control-token',
      stateDir: path.join(stateDir, 'staged'),
      fresh: true,
      waitForAll: false,
      builder,
    });
    await stack.firstTrace;
  });
  afterAll(async () => {
    builder.release();
    await stack?.stop();
  });

  it('the services answer and their traces reach Jaeger while VictoriaLogs is not there', async () => {
    expect(stack.status().find((p) => p.name === HELD)?.state).toBe('building');
    await expect(fetch(`${URLS.victorialogs}/health`)).rejects.toThrow(); // nothing listens yet
    for (let i = 0; i < 3; i++) {
      const answer = await predictAt(URLS.gateway);
      expect(answer.status).toBe(200);
      traceIds.push(answer.body.trace_id as string);
    }
    const jaeger = jaegerClient(URLS.jaeger);
    for (const traceId of traceIds)
      await eventually(() => jaeger.trace(traceId), { timeoutMs: 60_000, intervalMs: 500, what: `trace ${traceId} in Jaeger` });
  });

  it('the console says what is still building and about how long it has left', async () => {
    const status = await consoleStatus();
    expect(status.ready).toBe(false);
    const part = status.pending.find((p) => p.title === 'VictoriaLogs');
    expect(part).toMatchObject({ state: 'building' });
    // The estimate less the time since its build began: well under the estimate, well above 0.
    expect(part?.secondsLeft).toBeGreaterThan(HELD_ESTIMATE_S - 300);
    expect(part?.secondsLeft).toBeLessThanOrEqual(HELD_ESTIMATE_S);
    expect(status.pending.map((p) => p.title)).not.toContain('Jaeger');
  });

  it('every console page shows it in a banner, in Chromium', async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      await page.goto(`${URLS.console}/signals`);
      const banner = page.getByRole('status', { name: 'Still building' });
      await banner.getByText(/VictoriaLogs: building, about \d+ min left/).waitFor({ timeout: 30_000 });
      await screenshot(page, 'staged-start-banner');
    } finally {
      await browser.close();
    }
  });

  it('once it is built and started, the logs sent meanwhile are there, and the console says all is ready', async () => {
    builder.release();
    await stack.ready;
    expect(stack.status().every((p) => p.state === 'running')).toBe(true);
    const logs = victoriaLogsClient(URLS.victorialogs);
    for (const traceId of traceIds) {
      // Delivered from the collector's persistent queue at its next retry (at most 5 s apart), each
      // service's lines in batches of their own: wait for the gateway's.
      const rows = await eventually(
        async () => {
          const found = await logs.query<Record<string, string>>(`trace_id:${traceId}`, { limit: 20 });
          return found.some((r) => r['service.name'] === 'gateway') ? found : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 1000, what: `the logs of trace ${traceId} in VictoriaLogs` },
      );
      expect(rows.map((r) => r['service.name'])).toContain('gateway');
    }
    expect(await consoleStatus()).toEqual({ known: true, ready: true, pending: [] });
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      const answered = page.waitForResponse((r) => r.url().endsWith('/api/stack/status'));
      await page.goto(`${URLS.console}/signals`);
      expect(await (await answered).json()).toMatchObject({ ready: true });
      await page.getByRole('heading', { level: 1 }).first().waitFor();
      await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(resolve))); // the answer rendered
      expect(await page.getByRole('status', { name: 'Still building' }).count()).toBe(0);
    } finally {
      await browser.close();
    }
  });
});
