// The diagnosis engine on synthetic windows of a foreign application: each kind is found, named
// on the right service, ranked first, and a healthy window reports nothing.
import { describe, expect, it } from 'vitest';
import { type Diagnosis, diagnose, REPORT_CONFIDENCE } from '../../../analysis/diagnosis';
import { buildTrace, runtimeMetric, type ShopFaults, shopInput, WINDOW } from './builder';

const top = (diagnosis: Diagnosis) => diagnosis.hypotheses[0];
const summary = (diagnosis: Diagnosis) => diagnosis.hypotheses.map((h) => `${h.kind}/${h.service} ${h.confidence} ${h.summary}`).join('\n');

describe('diagnose', () => {
  it('reports nothing on healthy windows (several seeds)', () => {
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const diagnosis = diagnose(shopInput({}, { seed }));
      expect(diagnosis.hypotheses, summary(diagnosis)).toEqual([]);
      expect(diagnosis.status).toBe('healthy');
    }
  });

  const cases: [string, ShopFaults, string, string][] = [
    ['latency', { pricingMs: 80 }, 'latency', 'orders'],
    ['a wait span', { poolWaitMs: 15 }, 'wait', 'orders'],
    ['waiting before the call', { waitBeforeCallMs: 40 }, 'wait', 'frontend'],
    ['a lock event', { lockEvent: true }, 'wait', 'orders'],
    ['an N+1 against the cache', { cacheLookups: 8 }, 'fan-out', 'orders'],
    ['retries of failed calls', { errorShare: 0.9, attempts: 4 }, 'retries', 'frontend'],
    ['errors', { errorShare: 0.5 }, 'errors', 'orders'],
    ['timeouts', { budgetMs: 30 }, 'timeouts', 'frontend'],
    ['a hop gap', { hopGapMs: 30 }, 'hop-gap', 'orders'],
    ['a slow uninstrumented database', { mysqlMs: 60 }, 'dependency', 'mysql'],
    ['a new version', { newVersionShare: 0.5 }, 'deploy', 'orders'],
    ['a dropped trace context', { dropContext: true }, 'propagation', 'frontend'],
  ];
  it.each(cases)('names %s first', (_, faults, kind, service) => {
    const diagnosis = diagnose(shopInput(faults));
    expect(diagnosis.status).toBe('degraded');
    expect(top(diagnosis), summary(diagnosis)).toMatchObject({ rank: 1, kind, service });
    expect(top(diagnosis)!.confidence).toBeGreaterThanOrEqual(REPORT_CONFIDENCE);
    expect(top(diagnosis)!.evidence.traces[0]!.baseline_trace_id).toMatch(/^[0-9a-f]{32}$/);
  });

  it('ranks retries above the errors they multiply, and errors alone when nobody retries', () => {
    const storm = diagnose(shopInput({ errorShare: 0.9, attempts: 4 }));
    const kinds = storm.hypotheses.map((h) => `${h.kind}/${h.service}`);
    expect(kinds.indexOf('retries/frontend')).toBeLessThan(kinds.indexOf('errors/orders'));
    expect(diagnose(shopInput({ errorShare: 0.5 })).hypotheses.map((h) => h.kind)).not.toContain('retries');
  });

  it('finds cpu and memory from runtime metrics, and lets cpu explain the latency it causes', () => {
    const cpu = runtimeMetric('eventloop_delay_p99', { orders: [0.09, 0.011], frontend: [0.011, 0.011] });
    const utilization = runtimeMetric('eventloop_utilization', { orders: [0.95, 0.2], frontend: [0.1, 0.1] });
    const diagnosis = diagnose(shopInput({ pricingMs: 35 }, { metrics: [cpu, utilization] }));
    expect(top(diagnosis), summary(diagnosis)).toMatchObject({ kind: 'cpu', service: 'orders' });
    expect(top(diagnosis)!.evidence.queries).toContain('eventloop_delay_p99[30s]');

    // 4 MiB/s at 40 requests/s: 102 KiB kept per request.
    const heap = runtimeMetric('heap_growth', { orders: [4 * 1024 * 1024, 10_000], frontend: [1_500_000, -5_000] });
    const rate = runtimeMetric('server_rate', { orders: [40, 40], frontend: [100, 100] });
    const leak = diagnose(shopInput({}, { metrics: [heap, rate] }));
    expect(leak.hypotheses.map((h) => `${h.kind}/${h.service}`)).toEqual(['memory/orders']);
    expect(leak.hypotheses[0]!.summary).toContain('102 KiB per request');
    // Without a request rate only a steep slope counts; a busy heap's swing (15 KiB per request) never does.
    expect(diagnose(shopInput({}, { metrics: [heap] })).hypotheses.map((h) => h.service)).toEqual(['orders']);
    const busy = runtimeMetric('heap_growth', { frontend: [1_500_000, 0] });
    expect(diagnose(shopInput({}, { metrics: [busy, rate] })).hypotheses).toEqual([]);
  });

  it('leaves background work out: traces of internal spans only are not requests', () => {
    const input = shopInput({});
    const compaction = (n: number, ms: number) =>
      buildTrace(50_000 + n, WINDOW.fromMs + n * 1000, [{ id: 'c', service: 'store', name: 'compaction', start: 0, end: ms }]);
    const background = {
      window: [...input.traces.window, ...Array.from({ length: 20 }, (_, n) => compaction(n, 3000))],
      baseline: [...input.traces.baseline, ...Array.from({ length: 20 }, (_, n) => compaction(100 + n, 0.05))],
    };
    expect(diagnose({ ...input, traces: background }).hypotheses).toEqual([]);
  });

  it('keeps to the service asked for and what it calls', () => {
    const input = { ...shopInput({ mysqlMs: 60 }), service: 'frontend' };
    expect(top(diagnose(input))).toMatchObject({ kind: 'dependency', service: 'mysql' });
    expect(diagnose({ ...input, service: 'mysql' }).hypotheses.map((h) => h.service)).toEqual(['mysql']);
    expect(diagnose({ ...input, service: 'unknown' }).hypotheses).toEqual([]);
  });

  it('is deterministic and fast: a few hundred traces per period in well under a second', () => {
    const input = shopInput({ pricingMs: 80, cacheLookups: 4 }, { count: 300 });
    const started = performance.now();
    const first = diagnose(input);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(diagnose(input)).toEqual(first);
  });
});

describe('diagnose with too little to compare', () => {
  it('says so instead of calling everything new', () => {
    const input = shopInput({ pricingMs: 80 });
    const diagnosis = diagnose({ ...input, traces: { window: input.traces.window, baseline: input.traces.baseline.slice(0, 3) } });
    expect(diagnosis.hypotheses).toEqual([]);
    expect(diagnosis.notes).toEqual([expect.stringMatching(/^the baseline holds 3 request traces/)]);
  });
});
