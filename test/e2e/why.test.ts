// `npm run why` on the real stack: the CLI reads Jaeger's OTLP API and VictoriaLogs; each test
// reads the same trace independently from Jaeger's legacy API (microseconds, tags) and checks the
// CLI's JSON against it: spans, the critical path, the verdict's numbers, the log lines.
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import type { TraceComparison, TraceReport } from '../../analysis';
import { repoRoot } from '../../local/paths';
import { closedPort } from '../support/ports';
import {
  eventually,
  type JaegerSpan,
  type JaegerTrace,
  jaegerTrace,
  logsQuery,
  predict,
  randomHex,
  restoreHealthyModel,
  serviceOf,
  setModelBehaviour,
  tag,
  URLS,
  waitForCompleteTrace,
  waitForLogs,
} from './support';

interface TimedSpan extends JaegerSpan {
  startTime: number;
  duration: number;
}

/** Runs the compiled CLI as a user would (npm run why runs the same file after building). */
async function why(...args: string[]) {
  const result = await execa('node', [path.join(repoRoot, 'dist/tools/cli/why.js'), ...args], { reject: false, env: { NO_COLOR: '1' } });
  return { code: result.exitCode, stdout: String(result.stdout), stderr: String(result.stderr) };
}

async function whyJson<T = TraceReport>(...args: string[]): Promise<T> {
  const { code, stdout, stderr } = await why(...args, '--json');
  expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
  return JSON.parse(stdout) as T;
}

/**
 * A prediction whose trace (every part, and `mustHave` span names, which may end after the
 * answer) and log lines (one access line per server span) have arrived.
 */
async function requestAndWait(mustHave: string[] = []): Promise<{ body: Record<string, any>; trace: JaegerTrace }> {
  const { body } = await predict();
  await waitForCompleteTrace(body.trace_id);
  const trace = await eventually(
    async () => {
      const t = await jaegerTrace(body.trace_id);
      return t && mustHave.every((name) => t.spans.some((s) => s.operationName === name)) ? t : undefined;
    },
    { timeoutMs: 30_000, intervalMs: 500, what: `spans ${mustHave.join(', ')} of trace ${body.trace_id}` },
  );
  const servers = trace.spans.filter((s) => tag(s, 'span.kind') === 'server').length;
  await waitForLogs(`trace_id:${body.trace_id} "request completed"`, (rows) => rows.length >= servers);
  return { body, trace };
}

const spansOf = (trace: JaegerTrace) => trace.spans as TimedSpan[];
const originUs = (trace: JaegerTrace) => Math.min(...spansOf(trace).map((s) => s.startTime));
const US = 0.0015; // legacy times are whole microseconds; the CLI's are ns rounded to µs

/** The CLI's spans are the trace's spans: same ids, services, names, kinds, times (to the µs). */
function expectSameSpans(report: TraceReport, trace: JaegerTrace) {
  const origin = originUs(trace);
  expect(report.trace_id).toBe(trace.traceID);
  expect(report.span_count).toBe(trace.spans.length);
  for (const span of spansOf(trace)) {
    const mine = report.spans.find((s) => s.span_id === span.spanID);
    expect(mine, `span ${span.spanID}`).toMatchObject({
      service: serviceOf(trace, span),
      operation: span.operationName,
      kind: tag(span, 'span.kind') ?? 'internal',
    });
    expect(Math.abs(mine!.start_ms - (span.startTime - origin) / 1000)).toBeLessThan(US);
    expect(Math.abs(mine!.duration_ms - span.duration / 1000)).toBeLessThan(US);
    const parent = span.references.find((r) => r.refType === 'CHILD_OF')?.spanID;
    expect(mine!.parent_span_id).toBe(parent);
  }
}

/** Critical path rules checked against the independent read: tiles the root, every piece inside its span. */
function expectWellFormedPath(report: TraceReport, trace: JaegerTrace) {
  const origin = originUs(trace);
  const root = spansOf(trace).find((s) => s.references.length === 0)!;
  expect(report.roots).toEqual([root.spanID]);
  expect(report.orphans).toEqual([]);
  let cursor = (root.startTime - origin) / 1000;
  for (const entry of report.critical_path) {
    const span = spansOf(trace).find((s) => s.spanID === entry.span_id)!;
    expect(entry).toMatchObject({ service: serviceOf(trace, span), operation: span.operationName });
    expect(Math.abs(entry.start_ms - cursor)).toBeLessThan(US);
    expect(entry.start_ms).toBeGreaterThanOrEqual((span.startTime - origin) / 1000 - US);
    expect(entry.start_ms + entry.duration_ms).toBeLessThanOrEqual((span.startTime + span.duration - origin) / 1000 + US);
    cursor = entry.start_ms + entry.duration_ms;
  }
  expect(Math.abs(cursor - (root.startTime + root.duration - origin) / 1000)).toBeLessThan(2 * US);
  expect(report.self_time.reduce((sum, row) => sum + row.share, 0)).toBeCloseTo(1, 3);
}

/** The CLI's log lines are the ones VictoriaLogs holds for the trace, each under its own span. */
async function expectSameLogs(report: TraceReport) {
  const rows = await logsQuery(`trace_id:${report.trace_id}`, 1000);
  expect(report.logs.map((l) => l.span_id).sort()).toEqual(rows.map((r) => r.span_id).sort());
  expect(report.logs.map((l) => l.message).sort()).toEqual(rows.map((r) => r._msg).sort());
  for (const line of report.logs) expect(report.spans.map((s) => s.span_id)).toContain(line.under_span_id);
  expect(report.logs.map((l) => l.time_ms)).toEqual([...report.logs.map((l) => l.time_ms)].sort((a, b) => a - b));
}

const modelCall = (trace: JaegerTrace) =>
  spansOf(trace).find((s) => tag(s, 'span.kind') === 'client' && tag(s, 'peer.service') === 'model-inference')!;

describe('npm run why', () => {
  const fileStart = Date.now();
  afterAll(async () => {
    await restoreHealthyModel();
  });

  let healthy: TraceReport;

  it('explains a healthy request: the critical path runs through model-inference', async () => {
    await restoreHealthyModel();
    const { body, trace } = await requestAndWait();
    expect(body.source).toBe('model');
    healthy = await whyJson(body.trace_id);

    expectSameSpans(healthy, trace);
    expectWellFormedPath(healthy, trace);
    const onPath = healthy.critical_path.map((e) => `${e.service} › ${e.operation}`);
    expect(onPath).toContain('model-inference › model.infer');
    expect(onPath[0]).toMatch(/^gateway › /);
    expect(healthy.services).toEqual(['gateway', 'model-inference']);
    expect(healthy.hop_gaps).toEqual([
      expect.objectContaining({ from_service: 'gateway', to_service: 'model-inference', clock_skew: false }),
    ]);
    expect(healthy.hop_gaps[0]!.before_ms).toBeGreaterThanOrEqual(0);
    expect(healthy.errors).toEqual([]);
    expect(healthy.fallbacks).toEqual([]);
    expect(healthy.verdict).toMatch(/^\d+ % of \d+(\.\d)? ms is (gateway|model-inference) › .+ \(self \d+(\.\d)? ms[^)]*\)\.$/);
    await expectSameLogs(healthy);

    // The text report says the same things.
    const text = await why(body.trace_id);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`Verdict: ${healthy.verdict}`);
    expect(text.stdout).toMatch(/model-inference › model\.infer\s+[ ░]*█/);
    expect(text.stdout).toContain('request completed');
  });

  let slow: TraceReport;

  it('explains a slow model: the path ends in the model call at its budget, then fallback-rules; the verdict names the timeout', async () => {
    await setModelBehaviour({ latency_median_ms: 600, latency_p99_ms: 900, error_rate: 0 });
    // model.infer carries on after the gateway has answered: wait for it too.
    const { body, trace } = await requestAndWait(['model.infer']);
    expect(body).toMatchObject({ source: 'fallback', fallback_reason: 'timeout' });
    slow = await whyJson(body.trace_id);

    expectSameSpans(slow, trace);
    expectWellFormedPath(slow, trace);
    const call = modelCall(trace);
    const callEndMs = (call.startTime + call.duration - originUs(trace)) / 1000;
    // The model's part of the path stops where the gateway stopped waiting: the client span's end.
    const modelPart = slow.critical_path.filter((e) => e.service === 'model-inference');
    expect(modelPart.length).toBeGreaterThan(0);
    const last = modelPart.at(-1)!;
    // At the call's end, or up to 1 ms before it where the fallback's start (recorded to the ms)
    // overlaps it and the path cuts the call there (docs/why.md).
    expect(last.start_ms + last.duration_ms).toBeLessThan(callEndMs + US);
    expect(last.start_ms + last.duration_ms).toBeGreaterThan(callEndMs - 1 - US);
    // Then the call to the rules. (Their server span, about 1 ms long, may fall just outside its
    // client span and off the path: the SDK records starts to the ms.)
    const rulesCall = slow.spans.find(
      (s) => s.service === 'gateway' && s.kind === 'client' && s.attributes['peer.service'] === 'fallback-rules',
    )!;
    const afterBudget = slow.critical_path.slice(slow.critical_path.indexOf(last) + 1).map((e) => e.span_id);
    expect(afterBudget).toContain(rulesCall.span_id);
    // The 250 ms budget's timer starts just before the request (and its span) does, and the SDK
    // records span starts to the millisecond: the client span lasts the budget, give or take that.
    expect(call.duration / 1000).toBeGreaterThan(240);

    expect(slow.fallbacks).toEqual([
      expect.objectContaining({
        service: 'gateway',
        operation: 'fallback.decide',
        reason: 'timeout',
        fallback_to: 'fallback-rules',
        failed_call: expect.objectContaining({ span_id: call.spanID, peer: 'model-inference' }),
      }),
    ]);
    expect(slow.verdict).toContain(
      `gateway's call to model-inference hit its time budget at ${Math.round(call.duration / 1000)} ms and it fell back to fallback-rules: reason timeout`,
    );
    // model-inference worked on after the gateway gave up: not clock skew.
    expect(slow.hop_gaps.find((h) => h.to_service === 'model-inference')).toMatchObject({
      server_outlived_client: true,
      clock_skew: false,
    });
    await expectSameLogs(slow);
  });

  it('explains a failing model: the error is named where it started', async () => {
    await setModelBehaviour({ latency_median_ms: 20, latency_p99_ms: 80, error_rate: 1 });
    const { body, trace } = await requestAndWait();
    expect(body).toMatchObject({ source: 'fallback', fallback_reason: 'error' });
    const report = await whyJson(body.trace_id);

    expectSameSpans(report, trace);
    expectWellFormedPath(report, trace);
    // The gateway may retry a failed model call (within its retry budget): every attempt's
    // model.infer is an error where it started.
    const infers = spansOf(trace).filter((s) => s.operationName === 'model.infer');
    const origins = infers.map((infer) => {
      const exception = infer.logs.find((l) => l.fields.some((f) => f.key === 'event' && f.value === 'exception'))!;
      const field = (key: string) => exception.fields.find((f) => f.key === key)?.value;
      const message = `${field('exception.type')}: ${field('exception.message')}`;
      return { span_id: infer.spanID, service: 'model-inference', operation: 'model.infer', message, origin: true };
    });
    const bySpan = (a: { span_id: string }, b: { span_id: string }) => a.span_id.localeCompare(b.span_id);
    expect(report.errors.filter((e) => e.origin).sort(bySpan)).toEqual(origins.sort(bySpan));
    // "error in …", or "errors in …, …" when the gateway retried.
    expect(report.verdict).toMatch(
      infers.length > 1 ? /errors in model-inference › model\.infer/ : /error in model-inference › model\.infer/,
    );
    expect(report.verdict).toContain(`model-inference › model.infer (${origins[0]!.message})`);
    if (infers.length > 1) expect(report.verdict).toContain(`called model-inference`);
    expect(report.verdict).toMatch(
      /gateway's call to model-inference failed after \d+(\.\d)? ms and it fell back to fallback-rules: reason error/,
    );
    await expectSameLogs(report);
  });

  it('compares two traces: the slow one, set against the healthy baseline, added the fallback and model time', async () => {
    const comparison = await whyJson<TraceComparison>(slow.trace_id, '--vs', healthy.trace_id);
    expect(comparison.a.trace_id).toBe(healthy.trace_id);
    expect(comparison.verdict).toMatch(new RegExp(`^${slow.trace_id} was \\d+ ms slower than the baseline ${healthy.trace_id} `));
    expect(comparison.duration_delta_ms).toBeCloseTo(slow.root_duration_ms - healthy.root_duration_ms, 2);
    expect(comparison.only_in_b.map((s) => s.operation)).toContain('fallback.decide');
    expect(comparison.changed.find((s) => s.operation === 'model.infer')!.delta_ms).toBeGreaterThan(0);
  });

  it('finds the slowest recent trace, the one Jaeger search says is slowest', async () => {
    // The window starts with this file: earlier files' traces are not in it, and of this file's
    // traces the slow model's (its model span runs ~600 ms) is the longest by far.
    const seconds = Math.ceil((Date.now() - fileStart) / 1000) + 1;
    const report = await whyJson('--slowest', '--since', `${seconds}s`, '--service', 'gateway', '--no-logs');
    expect(report.trace_id).toBe(slow.trace_id);
    const params = new URLSearchParams({
      service: 'gateway',
      start: String((Date.now() - seconds * 1000) * 1000),
      end: String(Date.now() * 1000),
      limit: '1000',
    });
    const search = (await (await fetch(`${URLS.jaeger}/api/traces?${params}`)).json()) as { data: JaegerTrace[] };
    const extent = (t: JaegerTrace) => {
      const spans = spansOf(t);
      return (Math.max(...spans.map((s) => s.startTime + s.duration)) - Math.min(...spans.map((s) => s.startTime))) / 1000;
    };
    const slowest = search.data.sort((a, b) => extent(b) - extent(a))[0]!;
    expect(slowest.traceID).toBe(report.trace_id);
    expect(Math.abs(report.duration_ms - extent(slowest))).toBeLessThan(US);
  });

  it('gives a one-line error and exit code 2 for a malformed or unknown trace id', async () => {
    const malformed = await why('not-a-trace-id');
    expect(malformed).toMatchObject({ code: 2, stdout: '' });
    expect(malformed.stderr.trim().split('\n')).toEqual([expect.stringMatching(/"not-a-trace-id" is not a trace id/)]);
    const unknown = randomHex(16);
    const missing = await why(unknown);
    expect(missing).toMatchObject({ code: 2, stdout: '' });
    expect(missing.stderr.trim().split('\n')).toEqual([
      `why: trace ${unknown} was not found in Jaeger (spans reach Jaeger about 5 s after the request; retry, or check the id)`,
    ]);
  });

  it('names a backend that is down and how to start it', async () => {
    const closed = `http://127.0.0.1:${await closedPort()}`;
    const noJaeger = await why(healthy.trace_id, '--jaeger-url', closed);
    expect(noJaeger.code).toBe(3);
    expect(noJaeger.stderr.trim()).toBe(
      `why: Jaeger is not answering at ${closed} (connection refused): start the stack with \`npm start\` (or \`docker compose up\`)`,
    );
    // Without the log backend the trace is still explained, and the report says what is missing.
    const noLogs = await whyJson(healthy.trace_id, '--logs-url', closed);
    expect(noLogs.logs).toEqual([]);
    expect(noLogs.warnings).toContain(
      `logs not shown: VictoriaLogs is not answering at ${closed} (connection refused): start the stack with \`npm start\` (or \`docker compose up\`)`,
    );
  });
});
