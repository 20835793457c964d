import { describe, expect, it } from 'vitest';
import { analyzeTrace, compareTraces, compareWithUsual, epochMsOf, logLineFromRow } from '../../../analysis';
import { renderComparison, renderReport, renderUsual } from '../../../analysis/text';
import { idOf, reportOf, type SpanSpec, TRACE_ID, traceOf } from './fixtures';

// The shape of tracelab's slow-model request: the gateway's model call gives up at its 250 ms
// budget, model-inference carries on, the gateway asks the rules.
const slowModel: SpanSpec[] = [
  { id: 'gw', service: 'gateway', name: 'POST /v1/predict', kind: 'server', start: 0, end: 262 },
  {
    id: 'call',
    parent: 'gw',
    service: 'gateway',
    name: 'POST',
    kind: 'client',
    start: 2,
    end: 252,
    // instrumentation-undici leaves an aborted call's status unset
    attributes: { 'peer.service': 'model-inference' },
  },
  { id: 'mi', parent: 'call', service: 'model-inference', name: 'POST /v1/predict', kind: 'server', start: 3, end: 405 },
  { id: 'infer', parent: 'mi', service: 'model-inference', name: 'model.infer', start: 4, end: 404 },
  {
    id: 'fb',
    parent: 'gw',
    service: 'gateway',
    name: 'fallback.decide',
    start: 253,
    end: 261,
    attributes: { 'tracelab.fallback.reason': 'timeout' },
  },
  {
    id: 'rulescall',
    parent: 'fb',
    service: 'gateway',
    name: 'POST',
    kind: 'client',
    start: 254,
    end: 260,
    attributes: { 'peer.service': 'fallback-rules' },
  },
  { id: 'fr', parent: 'rulescall', service: 'fallback-rules', name: 'POST /v1/decide', kind: 'server', start: 255, end: 259 },
  { id: 'rules', parent: 'fr', service: 'fallback-rules', name: 'rules.evaluate', start: 256, end: 258 },
];

describe('the verdict', () => {
  it('counts a wait for a connection inside the time budget, names it once, and tells client rows from server rows', () => {
    // Pool exhaustion: 195 ms waiting for the one connection, then the call runs out of the 250 ms budget.
    const pooled: SpanSpec[] = [
      { id: 'gw', service: 'gateway', name: 'POST /v1/predict', kind: 'server', start: 0, end: 276 },
      { id: 'wait', parent: 'gw', service: 'gateway', name: 'model.pool.wait', start: 1, end: 196 },
      {
        id: 'call',
        parent: 'gw',
        service: 'gateway',
        name: 'POST /v1/predict',
        kind: 'client',
        start: 197,
        end: 266,
        attributes: { 'server.address': '127.0.0.1' },
      },
      { id: 'mi', parent: 'call', service: 'model-inference', name: 'POST /v1/predict', kind: 'server', start: 198, end: 269 },
      {
        id: 'fb',
        parent: 'gw',
        service: 'gateway',
        name: 'fallback.decide',
        start: 267,
        end: 275,
        attributes: { 'tracelab.fallback.reason': 'timeout' },
      },
    ];
    const report = reportOf(pooled);
    expect(report.verdict).toMatch(
      /^71 % of 276 ms is gateway › model\.pool\.wait \(self 195 ms\); gateway's call to model-inference hit its time budget after waiting 195 ms in model\.pool\.wait and 69 ms in the call and it fell back: reason timeout\.$/,
    );
    expect(report.self_time.filter((row) => row.operation === 'POST /v1/predict').map((row) => [row.service, row.kind])).toEqual([
      ['model-inference', 'server'],
      ['gateway', 'server'],
      ['gateway', 'client'],
    ]);
    const text = renderReport(report, { color: false });
    expect(text).toMatch(/gateway › POST \/v1\/predict → model-inference/);
    expect(text).toMatch(/gateway › POST \/v1\/predict \(client\)/);
  });

  it('names the biggest share of the critical path, the budget that was hit and the fallback', () => {
    const report = reportOf(slowModel);
    expect(report.verdict).toBe(
      "95 % of 262 ms is model-inference › model.infer (self 400 ms, more than the request's 262 ms: it worked on after its caller stopped waiting); gateway's call to model-inference hit its time budget at 250 ms and it fell back to fallback-rules: reason timeout.",
    );
    expect(report.fallbacks).toEqual([
      {
        span_id: idOf('fb'),
        service: 'gateway',
        operation: 'fallback.decide',
        reason: 'timeout',
        fallback_to: 'fallback-rules',
        failed_call: { span_id: idOf('call'), peer: 'model-inference', duration_ms: 250, status: 'unset' },
      },
    ]);
    // The model call's piece of the path ends at the budget, then the fallback takes over.
    const services = report.critical_path.map((entry) => `${entry.service} › ${entry.operation}`);
    expect(services.indexOf('model-inference › model.infer')).toBeLessThan(services.indexOf('fallback-rules › rules.evaluate'));
    const infer = report.critical_path.find((entry) => entry.operation === 'model.infer')!;
    expect(infer.start_ms + infer.duration_ms).toBe(252);
  });

  it('names the error where it started, with the exception, not every span it travelled through', () => {
    const report = reportOf([
      { id: 'gw', service: 'gateway', name: 'POST /v1/predict', kind: 'server', start: 0, end: 30 },
      { id: 'call', parent: 'gw', service: 'gateway', name: 'POST', kind: 'client', start: 1, end: 20, error: 'HTTP 500' },
      {
        id: 'mi',
        parent: 'call',
        service: 'model-inference',
        name: 'POST /v1/predict',
        kind: 'server',
        start: 2,
        end: 19,
        error: 'HTTP 500',
      },
      {
        id: 'infer',
        parent: 'mi',
        service: 'model-inference',
        name: 'model.infer',
        start: 3,
        end: 18,
        error: 'simulated',
        events: [
          { name: 'exception', at: 17, attributes: { 'exception.type': 'ModelFailure', 'exception.message': 'simulated model failure' } },
        ],
      },
    ]);
    expect(report.errors.filter((e) => e.origin)).toEqual([
      {
        span_id: idOf('infer'),
        service: 'model-inference',
        operation: 'model.infer',
        message: 'ModelFailure: simulated model failure',
        origin: true,
      },
    ]);
    expect(report.errors).toHaveLength(3);
    expect(report.verdict).toMatch(/error in model-inference › model\.infer \(ModelFailure: simulated model failure\)\.$/);
  });

  it('names retries: the same call repeated under one parent', () => {
    const report = reportOf([
      { id: 'gw', service: 'gateway', kind: 'server', start: 0, end: 100 },
      {
        id: 'try1',
        parent: 'gw',
        service: 'gateway',
        name: 'POST',
        kind: 'client',
        start: 1,
        end: 30,
        error: 'HTTP 503',
        attributes: { 'peer.service': 'model' },
      },
      {
        id: 'try2',
        parent: 'gw',
        service: 'gateway',
        name: 'POST',
        kind: 'client',
        start: 31,
        end: 60,
        error: 'HTTP 503',
        attributes: { 'peer.service': 'model' },
      },
      {
        id: 'try3',
        parent: 'gw',
        service: 'gateway',
        name: 'POST',
        kind: 'client',
        start: 61,
        end: 99,
        attributes: { 'peer.service': 'model' },
      },
    ]);
    expect(report.retries).toEqual([{ parent_span_id: idOf('gw'), service: 'gateway', operation: 'POST', peer: 'model', attempts: 3 }]);
    expect(report.verdict).toMatch(/gateway called model \(POST\) 3 times/);
  });
});

describe('logs of a trace', () => {
  const row = (time: string, span: string, msg: string, extra: Record<string, string> = {}) => ({
    _time: time,
    _msg: msg,
    _stream: '{host.name="vm",service.name="gateway"}',
    'host.name': 'vm',
    'service.name': 'gateway',
    severity: 'warn',
    trace_id: TRACE_ID,
    span_id: span,
    ...extra,
  });

  it('reads VictoriaLogs rows, keeps sub-millisecond times, and places each line under its span in time order', () => {
    const trace = traceOf(slowModel);
    // The fixture's origin is 1_764_100_000_000 ms since the epoch.
    const origin = new Date(1_764_100_000_000).toISOString().replace('.000Z', '');
    const lines = [
      logLineFromRow(row(`${origin}.260500000Z`, idOf('gw'), 'request completed')),
      logLineFromRow(row(`${origin}.253250000Z`, idOf('fb'), 'model unavailable, using fallback rules', { reason: 'timeout' })),
      logLineFromRow(row(`${origin}.100000000Z`, 'ffffffffffffffff', 'from a span not in the trace')),
    ];
    const report = analyzeTrace(trace, { logs: lines });
    expect(report.logs.map((l) => [l.time_ms, l.message, l.under_span_id])).toEqual([
      [100, 'from a span not in the trace', undefined],
      [253.25, 'model unavailable, using fallback rules', idOf('fb')],
      [260.5, 'request completed', idOf('gw')],
    ]);
    expect(report.logs[1]).toMatchObject({ service: 'gateway', severity: 'warn' });
    expect(report.logs[1]!.fields).toEqual({ reason: 'timeout' });
    expect(epochMsOf('2026-11-25T20:00:00.123456789Z')).toBe(Date.parse('2026-11-25T20:00:00Z') + 123.457);
  });
});

describe('comparing traces', () => {
  const fast: SpanSpec[] = [
    { id: 'gw', service: 'gateway', name: 'POST /v1/predict', kind: 'server', start: 0, end: 50 },
    {
      id: 'call',
      parent: 'gw',
      service: 'gateway',
      name: 'POST',
      kind: 'client',
      start: 2,
      end: 48,
      attributes: { 'peer.service': 'model-inference' },
    },
    { id: 'mi', parent: 'call', service: 'model-inference', name: 'POST /v1/predict', kind: 'server', start: 3, end: 47 },
    { id: 'infer', parent: 'mi', service: 'model-inference', name: 'model.infer', start: 4, end: 46 },
  ];

  it('matches spans by their place in the tree and says which got slower and what is new', () => {
    const comparison = compareTraces(traceOf(fast), traceOf(slowModel));
    expect(comparison.duration_delta_ms).toBe(212);
    expect(comparison.changed[0]).toMatchObject({
      // A client span's step names its peer: two calls of one name stay apart.
      path: 'gateway › POST /v1/predict / gateway › POST → model-inference / model-inference › POST /v1/predict / model-inference › model.infer',
      a_ms: 42,
      b_ms: 400,
      self_delta_ms: 358,
    });
    expect(comparison.only_in_b.map((s) => s.operation)).toEqual(['fallback.decide', 'POST', 'POST /v1/decide', 'rules.evaluate']);
    expect(comparison.only_in_a).toEqual([]);
    expect(comparison.verdict).toMatch(
      /^\w+ was 212 ms slower than the baseline \w+ \(262 ms vs 50 ms\); the largest self-time change is model-inference › model\.infer \(358 ms more\); 4 span\(s\) not in the baseline add/,
    );
    expect(compareTraces(traceOf(slowModel), traceOf(fast)).verdict).toMatch(
      /^\w+ was 212 ms faster than the baseline \w+ .*\(358 ms less\)/,
    );
    const text = renderComparison(comparison);
    expect(text).toContain('Only in b');
    expect(text).toMatch(/model\.infer +42\.0 +400 +\+358 +\+358/);
  });

  it('compares a trace with the usual p50/p99 of its operations', () => {
    const usual = compareWithUsual(reportOf(slowModel), [
      { service: 'model-inference', operation: 'model.infer', kind: 'internal', p50_ms: 40, p99_ms: 180, rate: 2 },
      { service: 'gateway', operation: 'POST /v1/predict', kind: 'server', p50_ms: 50.123456, p99_ms: 317.48748200266027, rate: 2 },
    ]);
    expect(usual.spans.map((s) => [s.operation, s.ratio, s.above_p99])).toEqual([
      ['model.infer', 10, true],
      ['POST /v1/predict', 5.23, false],
    ]);
    expect(usual.window).toBe('15m');
    expect(usual.verdict).toMatch(
      /^1 span\(s\) slower than their operation's usual p99 over the last 15m: model-inference › model\.infer 400 ms \(p99 180 ms/,
    );
    // Rounded: whole milliseconds from 10 ms (a histogram's estimate is no finer), and the window stated.
    expect(usual.spans[1]).toMatchObject({ p50_ms: 50, p99_ms: 317 });
    const text = renderUsual(usual);
    expect(text).toContain('p50 and p99 over the last 15m');
    expect(text).not.toMatch(/\d\.\d{3}/);
  });
});

describe('the text report', () => {
  it('shows the verdict, a waterfall marking the critical path, self time, hop gaps and logs; colour only when asked', () => {
    const report = reportOf(slowModel);
    const text = renderReport(report, { barWidth: 20 });
    expect(text).toContain(`Verdict: ${report.verdict}`);
    expect(text).toMatch(/gateway › POST \/v1\/predict\s+█/);
    expect(text).toMatch(/model-inference › model\.infer\s+\S*█+░+/);
    expect(text).toContain('(the server span ended after its client)');
    expect(text).not.toContain('\u001b[');
    expect(renderReport(report, { color: true })).toContain('\u001b[31m');
  });
});
