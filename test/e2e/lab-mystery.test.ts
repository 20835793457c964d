// `npm run lab -- traffic | mystery | guess | reveal` and the same on the console's /lab, on the
// real stack: traffic's summary against Jaeger's copy of its slowest trace; a mystery really turns
// on what its state file says (checked through the services' own control endpoints) and hides it;
// a guess is scored against that; the reveal puts every knob back. The Diagnose page is reached
// from the Signals page and draws a diagnosis's evidence with live links.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Diagnosis } from '../../analysis/diagnosis/types';
import { labStatus } from '../../lab/actions';
import { causesOf, chooseMystery, type MysteryState } from '../../lab/mystery';
import { SCENARIOS } from '../../lab/scenarios';
import { repoRoot, stateDir } from '../../local/paths';
import { launchChromium, screenshot } from './browser';
import { lab, resetAll } from './lab-support';
import { eventually, type JaegerSpan, jaegerTrace, predict, URLS, untilModelAnswers, waitForCompleteTrace, waitForTrace } from './support';

const CONSOLE = URLS.console;
/** The CLI's mystery files go to a folder of this test's own. */
const cliStateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lab-mystery-e2e-'));
/** The console keeps its mystery in the repository's state folder: a user's files there are set aside and put back. */
const CONSOLE_FILES = ['mystery.json', 'mystery-history.json'].map((name) => path.join(stateDir, name));
const setAside = new Map<string, string>();

async function labCli(...args: string[]) {
  const result = await execa('node', [path.join(repoRoot, 'dist/tools/cli/lab.js'), ...args], {
    reject: false,
    env: { CONTROL_TOKEN: inject('controlToken'), TRACELAB_LAB_STATE_DIR: cliStateDir },
  });
  return { code: result.exitCode, stdout: String(result.stdout), stderr: String(result.stderr) };
}

/** The scenarios whose every knob is on, as the services report them. */
const activeScenarios = async () => (await labStatus(lab())).active.map((a) => `${a.scenario}/${a.level}`).sort();
const changedKnobs = async () => Object.values((await labStatus(lab())).changed).flatMap((knobs) => Object.keys(knobs));
/** What a choice turns on, in labStatus's terms (a scenario whose knobs another's level includes shows too). */
const expectedOn = (picks: { scenario: string; level: string }[]) => picks.map((p) => `${p.scenario}/${p.level}`).sort();

let browser: Browser;
let page: Page;

beforeAll(async () => {
  for (const file of CONSOLE_FILES) {
    if (fs.existsSync(file)) {
      setAside.set(file, fs.readFileSync(file, 'utf8'));
      fs.rmSync(file);
    }
  }
  await resetAll();
  await untilModelAnswers();
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  page.on('pageerror', (error) => console.error(`[browser] ${error.message}`));
});

afterAll(async () => {
  await browser?.close();
  await resetAll();
  for (const file of CONSOLE_FILES) {
    fs.rmSync(file, { force: true });
    if (setAside.has(file)) fs.writeFileSync(file, setAside.get(file)!);
  }
  fs.rmSync(cliStateDir, { recursive: true, force: true });
});

describe('lab traffic from the command line', () => {
  it('sends bounded traffic and summarises it; its slowest trace is in Jaeger', async () => {
    const { code, stdout, stderr } = await labCli('traffic', '--concurrency', '2', '--seconds', '3');
    expect({ code, stderr: stderr.replace(/^traffic: .*\n?/gm, '') }).toEqual({ code: 0, stderr: '' });
    const requests = Number(/^(\d+) requests from 2 clients in 3 s$/m.exec(stdout)?.[1]);
    expect(requests).toBeGreaterThan(5);
    // Every request is counted once by where its answer came from; healthy, nearly all from the model
    // (on two busy cores a call can still pass the gateway's 250 ms budget now and then and fall back).
    const answers = /^answers: (.+)$/m
      .exec(stdout)![1]!
      .split(', ')
      .map((part) => /^(.+) (\d+)$/.exec(part)!);
    expect(answers.reduce((sum, [, , n]) => sum + Number(n), 0)).toBe(requests);
    const fromModel = Number(answers.find(([, source]) => source === 'model')?.[2] ?? 0);
    expect(fromModel / requests).toBeGreaterThanOrEqual(0.9);
    const [, p50, p95, p99] = /^latency: p50 ([\d.]+) ms, p95 ([\d.]+) ms, p99 ([\d.]+) ms$/m.exec(stdout)!.map(Number);
    expect(p50).toBeLessThanOrEqual(p95!);
    expect(p95).toBeLessThanOrEqual(p99!);
    const [, slowestMs, traceId] = /^slowest: ([\d.]+) ms, trace ([\da-f]{32}) /m.exec(stdout)!;
    await waitForTrace(traceId!, ['gateway', 'model-inference']);
    const trace = (await jaegerTrace(traceId!))!;
    // The gateway's server span lies within what the client measured.
    const root = trace.spans.find((s) => s.references.length === 0) as JaegerSpan & { duration: number };
    expect(root.duration / 1000).toBeLessThanOrEqual(Number(slowestMs) + 1);
  });

  it('refuses bad values with one line and exit code 2', async () => {
    for (const args of [
      ['traffic', '--concurrency', '33'],
      ['traffic', '--seconds', '121'],
      ['traffic', '--rate', '5'],
      ['guess', 'slowness', 'gateway'],
      ['mystery', '--seed', 'x'],
    ]) {
      const { code, stdout, stderr } = await labCli(...args);
      expect({ args, code, stdout }).toEqual({ args, code: 2, stdout: '' });
      expect(stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});

describe('mystery mode from the command line', () => {
  it('turns on a hidden pair, hides it from status, scores a half-right guess, and the reveal puts everything back', async () => {
    const seed = Array.from({ length: 200 }, (_, i) => i).find((s) => chooseMystery(s).length === 2)!;
    const started = await labCli('mystery', '--seed', String(seed), '--concurrency', '2', '--seconds', '3');
    expect(started.code, started.stderr).toBe(0);
    expect(started.stdout).toMatch(/^\d+ requests from 2 clients in 3 s$/m);
    const state = JSON.parse(fs.readFileSync(path.join(cliStateDir, 'mystery.json'), 'utf8')) as MysteryState;
    expect(state.picks).toEqual(chooseMystery(seed));
    for (const pick of state.picks) expect(started.stdout).not.toContain(pick.scenario);
    expect(await activeScenarios()).toEqual(expect.arrayContaining(expectedOn(state.picks)));

    const status = await labCli('status');
    expect(status.stdout).toMatch(/^a mystery is on: knobs and scenarios are hidden/m);
    for (const pick of state.picks) expect(status.stdout).not.toContain(pick.scenario);

    // Name one of the two causes exactly: half the points.
    const [first] = causesOf(state.picks);
    const guess = await labCli('guess', first!.kind, first!.service);
    expect(guess.code, guess.stderr).toBe(0);
    expect(guess.stdout).toMatch(new RegExp(`^your guess: ${first!.kind} on ${first!.service} → 0.5 point\\(s\\)$`, 'm'));
    for (const pick of state.picks) {
      const scenario = SCENARIOS.find((s) => s.name === pick.scenario)!;
      expect(guess.stdout).toContain(`It was ${pick.scenario} (${pick.level}: ${scenario.levels[pick.level]!.description})`);
      expect(guess.stdout).toContain(scenario.lesson);
    }
    // What the diagnosis found over the mystery's window, from the backends alone.
    expect(guess.stdout).toMatch(/^diagnosis over the mystery's window(: healthy, no hypothesis reported| \(degraded\):\n {2}1\. )/m);
    const again = await labCli('guess', 'healthy');
    expect({ code: again.code, stderr: again.stderr.trim() }).toEqual({ code: 1, stderr: expect.stringMatching(/already guessed/) });

    const reveal = await labCli('reveal');
    expect(reveal.code, reveal.stderr).toBe(0);
    expect(reveal.stdout).toContain(`It was ${state.picks[0]!.scenario}`);
    expect(reveal.stdout).toContain(`(seed ${seed})`);
    expect(await changedKnobs()).toEqual([]);
    expect(fs.existsSync(path.join(cliStateDir, 'mystery.json'))).toBe(false);

    const history = await labCli('mystery', '--history');
    expect(history.stdout).toMatch(/^mystery history: 1 played, 0.5 of 1 points$/m);
    expect((await labCli('reveal')).stderr).toMatch(/no mystery is on/);
  });
});

describe('mystery mode and traffic on the console', () => {
  it('drives traffic from the lab page', async () => {
    await page.goto(`${CONSOLE}/lab`);
    await page.waitForSelector('section.traffic');
    await page.fill('section.traffic input >> nth=1', '2');
    await page.click('section.traffic button');
    const summary = await page.waitForSelector('section.traffic dl[data-requests]', { timeout: 30_000 });
    expect(Number(await summary.getAttribute('data-requests'))).toBeGreaterThan(3);
    const traceId = await page.getAttribute('section.traffic a[data-slowest-trace]', 'data-slowest-trace');
    await waitForTrace(traceId!, ['gateway']);
  });

  it('starts a mystery, takes a guess from two selects, reveals it, and keeps the score', async () => {
    await page.goto(`${CONSOLE}/lab`);
    await page.waitForSelector('section.mystery[data-mystery="off"]');
    await page.fill('section.mystery input[type="number"]', '3');
    await page.click('text=Start a mystery');
    await page.waitForSelector('section.mystery[data-mystery="on"] dl[data-requests]', { timeout: 60_000 });
    expect(await page.textContent('section.mystery')).toMatch(/hidden until the\s+reveal/);

    // The console's state file says what it chose; the services say it is on.
    const state = JSON.parse(fs.readFileSync(CONSOLE_FILES[0]!, 'utf8')) as MysteryState;
    expect(await activeScenarios()).toEqual(expect.arrayContaining(expectedOn(state.picks)));
    if (!state.picks.length) expect(await changedKnobs()).toEqual([]);

    const key = causesOf(state.picks);
    if (key.length) {
      // Name the first cause only: full marks for one fault, half for two.
      await page.selectOption('select[name="kind-0"]', key[0]!.kind);
      await page.selectOption('select[name="service-0"]', key[0]!.service);
      await page.click('form.mystery-guess button[type="submit"]');
    } else {
      await page.click('text=Nothing is wrong');
    }
    const result = await page.waitForSelector('.mystery-result[data-points]');
    expect(Number(await result.getAttribute('data-points'))).toBe(key.length === 2 ? 0.5 : 1);
    for (const pick of state.picks) await page.waitForSelector(`.mystery-result [data-answer="${pick.scenario}"]`);
    if (!key.length) await page.waitForSelector('.mystery-result [data-answer="healthy"]');
    // What the diagnosis found (its content is checked from the CLI); on a busy machine a backend may not answer in time.
    expect(await page.textContent('.mystery-result')).toMatch(
      /The diagnosis over the mystery’s window( \(degraded\)|: healthy)|Diagnosis: not available/,
    );
    await screenshot(page, 'lab-mystery-guessed');

    await page.click('text=Reveal and end');
    await page.waitForSelector('section.mystery[data-mystery="off"] .mystery-reveal');
    expect(await changedKnobs()).toEqual([]);
    const rows = await page.$$eval('table.mystery-history tbody tr', (trs) => trs.map((tr) => tr.textContent ?? ''));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toContain(key.length ? `${key[0]!.kind} on ${key[0]!.service}` : 'healthy');
    await screenshot(page, 'lab-mystery-revealed');
  });

  it('reaches the Diagnose page from the Signals page', async () => {
    await page.goto(`${CONSOLE}/signals?service=model-inference`);
    await page.click('text=Diagnose model-inference');
    await page.waitForURL(/\/diagnose\?service=model-inference$/);
    expect(await page.inputValue('main.diagnose select >> nth=2')).toBe('model-inference');
    // The console server's real diagnosis of the last 5 minutes: healthy or degraded, either is an answer.
    const shown = await page.waitForSelector('main.diagnose section[data-status]', { timeout: 30_000 });
    expect(['healthy', 'degraded']).toContain(await shown.getAttribute('data-status'));
    await screenshot(page, 'diagnose');
  });

  it('answers GET /api/diagnose from the backends, and a bad period with a 400 that names it', async () => {
    const response = await fetch(`${CONSOLE}/api/diagnose?since=1m&baseline=5m&service=gateway`);
    expect(response.status).toBe(200);
    const diagnosis = (await response.json()) as Diagnosis;
    expect(['healthy', 'degraded']).toContain(diagnosis.status);
    expect(Date.parse(diagnosis.window.to) - Date.parse(diagnosis.window.from)).toBe(60_000);
    expect(Date.parse(diagnosis.baseline.to)).toBe(Date.parse(diagnosis.window.from));
    const bad = await fetch(`${CONSOLE}/api/diagnose?since=yesterday`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/since/);
  });

  it('draws a diagnosis with its evidence linked: trace pairs open in compare view, queries as panels, log lines with traces', async () => {
    // How the page draws a given diagnosis: the answer is fixed by the test so each kind of
    // evidence is present, built on real traces and a real query so every link is live.
    const [slow, usual] = [(await predict()).body.trace_id as string, (await predict()).body.trace_id as string];
    await Promise.all([waitForCompleteTrace(slow), waitForCompleteTrace(usual)]);
    const now = Date.now();
    const iso = (ms: number) => new Date(ms).toISOString();
    const promql = 'sum(rate(http_server_request_duration_count{job="gateway"}[1m]))';
    const diagnosis: Diagnosis = {
      window: { from: iso(now - 5 * 60_000), to: iso(now) },
      baseline: { from: iso(now - 35 * 60_000), to: iso(now - 5 * 60_000) },
      status: 'degraded',
      hypotheses: [
        {
          rank: 1,
          kind: 'latency',
          service: 'model-inference',
          operation: 'model.infer',
          confidence: 0.9,
          summary: 'model.infer takes longer than in the baseline.',
          evidence: {
            traces: [{ trace_id: slow, baseline_trace_id: usual }],
            queries: [promql],
            logs: [{ time: iso(now), service: 'gateway', level: 'warn', message: 'model unavailable', trace_id: slow }],
          },
        },
      ],
      read: { traces: { window: 20, baseline: 40 }, series: 3, logs: 1 },
      notes: [],
    };
    await page.route('**/api/diagnose?**', (route) => route.fulfill({ json: diagnosis }));
    try {
      await page.goto(`${CONSOLE}/diagnose?service=model-inference`);
      const hypothesis = await page.waitForSelector('li.hypothesis[data-kind="latency"][data-service="model-inference"]');
      expect(await hypothesis.textContent()).toMatch(/model\.infer.*confidence 90 %.*takes longer than in the baseline/s);
      // The query is drawn from Prometheus (through the console's proxy), with data.
      const chart = await page.waitForSelector(`.diagnose-query[data-promql='${promql}'] [role="img"]`);
      await eventually(async () => ((await chart.getAttribute('aria-label'))?.includes('no data') === false ? true : undefined), {
        timeoutMs: 15_000,
        what: 'the query panel to have data',
      });
      expect(await page.getAttribute(`.evidence-logs a`, 'href')).toBe(`/trace/${slow}`);
      await screenshot(page, 'diagnose-rendered');
      await page.click(`.evidence-traces a[data-trace-id="${slow}"]`);
      await page.waitForURL(new RegExp(`/trace/${usual}/vs/${slow}$`));
      // Compare view: the usual trace as A, the slow one as B.
      await page.waitForSelector('main p.verdict');
      const sides = await page.$$eval('main table:first-of-type tbody tr a', (links) => links.map((a) => a.textContent));
      expect(sides).toEqual([usual, slow]);
    } finally {
      await page.unroute('**/api/diagnose?**');
    }
  });
});
