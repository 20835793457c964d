// `npm run diagnose` on the real stack: a window with a fault is diagnosed from the backends
// alone (the CLI gets no control token and no knob values) and names the cause first, with
// evidence that opens in the console; a healthy window reports nothing; bad input and a backend
// that does not answer end the CLI with its documented exit codes.
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TimeRange } from '../../analysis/diagnosis/types';
import { scenarioOn } from '../../lab/actions';
import { repoRoot } from '../../local/paths';
import { closedPort } from '../support/ports';
import { customers, lab, modelAnswersAgain, resetAll } from './lab-support';
import { eventually, jaegerTrace, predict, promQuery, waitForCompleteTrace } from './support';

/** Runs the compiled CLI as a user would, with no control token in its environment. */
async function diagnose(...args: string[]) {
  const { CONTROL_TOKEN: _token, ...env } = process.env;
  const result = await execa('node', [path.join(repoRoot, 'dist/tools/cli/diagnose.js'), ...args], {
    reject: false,
    env: { ...env, NO_COLOR: '1' },
    extendEnv: false,
  });
  return { code: result.exitCode, stdout: String(result.stdout), stderr: String(result.stderr) };
}

interface Period extends TimeRange {
  /** The trace of the last request answered in the period. */
  lastTraceId: string;
}

/** Four clients sending varied predictions until `seconds` have passed; the period they covered. */
async function trafficFor(seconds: number, seed: number): Promise<Period> {
  const features = customers(seed);
  const fromMs = Date.now();
  const toMs = fromMs + seconds * 1000;
  let lastTraceId = '';
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (Date.now() < toMs) {
        const { body } = await predict({}, { customer_id: 'diagnose-test', features: features() });
        lastTraceId = String(body.trace_id ?? lastTraceId);
      }
    }),
  );
  return { fromMs, toMs, lastTraceId };
}

const periodArgs = (window: TimeRange, baseline: TimeRange) => [
  '--from',
  String(window.fromMs),
  '--to',
  String(window.toMs),
  '--baseline-from',
  String(baseline.fromMs),
  '--baseline-to',
  String(baseline.toMs),
];

/** Waits until what the diagnosis reads about a period is in the backends: its last trace whole in Jaeger, a scrape after it ended. */
async function settled(period: Period): Promise<void> {
  await waitForCompleteTrace(period.lastTraceId);
  await eventually(
    async () => {
      const [sample] = await promQuery('min(timestamp(up{job=~"gateway|model-inference|fallback-rules"}))');
      return sample && Number(sample.value[1]) * 1000 > period.toMs ? true : undefined;
    },
    { timeoutMs: 30_000, intervalMs: 500, what: 'a scrape of every service after the period ended' },
  );
}

interface JsonDiagnosis {
  status: string;
  hypotheses: {
    rank: number;
    kind: string;
    service: string;
    confidence: number;
    evidence: { traces: { trace_id: string; baseline_trace_id?: string }[]; queries: string[] };
  }[];
}

describe('npm run diagnose', () => {
  let baseline: Period;
  beforeAll(async () => {
    await resetAll();
    await modelAnswersAgain();
    baseline = await trafficFor(30, 1);
  });
  afterAll(resetAll);

  it('names an N+1 in the gateway first, with a trace pair and the query that shows it', async () => {
    await scenarioOn('n-plus-one', 'severe', lab());
    await trafficFor(2, 2); // the first requests of a fault are not yet its window
    const window = await trafficFor(15, 3);
    await resetAll();
    await settled(window);
    const { code, stdout, stderr } = await diagnose(...periodArgs(window, baseline), '--json');
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const result = JSON.parse(stdout) as JsonDiagnosis;
    expect(result.status).toBe('degraded');
    const first = result.hypotheses[0]!;
    expect({ kind: first.kind, service: first.service }).toEqual({ kind: 'fan-out', service: 'gateway' });
    expect(first.confidence).toBeGreaterThanOrEqual(0.5);
    const pair = first.evidence.traces[0]!;
    expect(pair.baseline_trace_id).toBeDefined();
    // Both traces of the pair are real: the slow one from the window, the usual one from the baseline.
    for (const id of [pair.trace_id, pair.baseline_trace_id!]) expect((await jaegerTrace(id))?.traceID).toBe(id);
    expect(first.evidence.queries.join('\n')).toContain('traces_span_metrics_calls_total');

    const text = await diagnose(...periodArgs(window, baseline));
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^1\. fan-out · gateway/m);
    expect(text.stdout).toContain(`/trace/${pair.trace_id}/vs/${pair.baseline_trace_id}`);
  });

  it('reports a healthy window as healthy', async () => {
    await modelAnswersAgain();
    const window = await trafficFor(15, 4);
    await settled(window);
    const { code, stdout } = await diagnose(...periodArgs(window, baseline), '--json');
    expect(code).toBe(0);
    const result = JSON.parse(stdout) as JsonDiagnosis;
    expect(result.hypotheses.map((h) => `${h.kind} ${h.service} ${h.confidence}`)).toEqual([]);
    expect(result.status).toBe('healthy');
  });

  it('refuses bad arguments with one line and exit 2, and a backend that does not answer with exit 3', async () => {
    const bad = await diagnose('--since', 'yesterday');
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toContain('--since');
    const down = await diagnose('--since', '1m', '--prometheus-url', `http://127.0.0.1:${await closedPort()}`);
    expect(down.code).toBe(3);
    expect(down.stderr).toMatch(/Prometheus/);
  });
});
