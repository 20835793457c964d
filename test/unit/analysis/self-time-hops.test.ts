import { describe, expect, it } from 'vitest';
import { unionLength } from '../../../analysis';
import { idOf, reportOf } from './fixtures';

describe('self time', () => {
  it('is the duration minus the union of the children, each clipped to the span', () => {
    const report = reportOf([
      { id: 'root', start: 0, end: 100 },
      { id: 'a', parent: 'root', start: 10, end: 50 },
      { id: 'b', parent: 'root', start: 30, end: 70 }, // overlaps a: counted once
      { id: 'late', parent: 'root', start: 90, end: 120 }, // sticks out: only 90-100 counts
      { id: 'outside', parent: 'root', start: 130, end: 140 }, // wholly outside: nothing
    ]);
    const self = (name: string) => report.spans.find((s) => s.operation === name)!.self_ms;
    expect(self('root')).toBe(100 - 60 - 10);
    expect(self('a')).toBe(40);
    expect(self('late')).toBe(30);
  });

  it('aggregates by service and operation with count, total, self and a critical share ≤ 100 %', () => {
    const report = reportOf([
      { id: 'root', service: 'gateway', name: 'POST /v1/predict', start: 0, end: 100 },
      { id: 'c1', parent: 'root', service: 'gateway', name: 'POST', kind: 'client', start: 10, end: 40 },
      { id: 'c2', parent: 'root', service: 'gateway', name: 'POST', kind: 'client', start: 10, end: 90 },
      { id: 's2', parent: 'c2', service: 'model', name: 'infer', kind: 'server', start: 12, end: 88 },
    ]);
    const row = report.self_time.find((r) => r.service === 'gateway' && r.operation === 'POST')!;
    expect(row).toMatchObject({ count: 2, total_ms: 110, self_ms: 30 + 4, critical_ms: 4 });
    expect(report.self_time[0]).toMatchObject({ service: 'model', operation: 'infer', critical_ms: 76, share: 0.76 });
    expect(report.service_time.map((r) => [r.service, r.share])).toEqual([
      ['model', 0.76],
      ['gateway', 0.24],
    ]);
    // Parallel work: the summed self times exceed the trace (110 ms of self in 100 ms), shares do not.
    expect(report.self_time.reduce((sum, r) => sum + r.self_ms, 0)).toBeGreaterThan(report.duration_ms);
    expect(report.self_time.reduce((sum, r) => sum + r.share, 0)).toBeCloseTo(1, 6);
  });

  it('unions intervals', () => {
    expect(
      unionLength([
        [0, 10],
        [5, 15],
        [20, 25],
        [21, 22],
        [30, 30],
      ]),
    ).toBe(20);
  });
});

describe('hop gaps', () => {
  it('measure the time before the server started and after it ended', () => {
    const report = reportOf([
      { id: 'root', service: 'gateway', kind: 'server', start: 0, end: 100 },
      { id: 'call', parent: 'root', service: 'gateway', name: 'POST', kind: 'client', start: 10, end: 90 },
      { id: 'serve', parent: 'call', service: 'model', name: 'POST /v1/predict', kind: 'server', start: 13, end: 85 },
    ]);
    expect(report.hop_gaps).toEqual([
      {
        client_span_id: idOf('call'),
        server_span_id: idOf('serve'),
        from_service: 'gateway',
        to_service: 'model',
        client_operation: 'POST',
        server_operation: 'POST /v1/predict',
        client_ms: 80,
        server_ms: 72,
        before_ms: 3,
        after_ms: 5,
        gap_ms: 8,
        clock_skew: false,
        server_outlived_client: false,
      },
    ]);
    expect(report.warnings).toEqual([]);
  });

  it('flag clock skew when the server starts before its client', () => {
    const report = reportOf([
      { id: 'call', service: 'gateway', kind: 'client', start: 10, end: 90 },
      { id: 'serve', parent: 'call', service: 'model', kind: 'server', start: 5, end: 80 },
    ]);
    expect(report.hop_gaps[0]).toMatchObject({ before_ms: -5, clock_skew: true });
    expect(report.warnings.join('\n')).toMatch(/clock skew between gateway and model: server span \w+ starts 5 ms before its client/);
  });

  it('a server span ending after its client is not skew: the client stopped waiting first', () => {
    // Measured on one host: undici's client span ends at the response headers, the server's at the
    // last byte (4.7 ms later under load); and a client aborted at its budget ends long before.
    for (const error of [undefined, 'This operation was aborted']) {
      const report = reportOf([
        { id: 'call', service: 'gateway', kind: 'client', start: 0, end: 250, ...(error ? { error } : {}) },
        { id: 'serve', parent: 'call', service: 'model', kind: 'server', start: 2, end: 400 },
      ]);
      expect(report.hop_gaps[0]).toMatchObject({ after_ms: -150, gap_ms: 2, clock_skew: false, server_outlived_client: true });
      expect(report.warnings).toEqual([]);
    }
  });

  it('client spans with no server under them are grouped by dependency in the warnings', () => {
    const report = reportOf([
      { id: 'root', service: 'gateway', kind: 'server', start: 0, end: 100 },
      {
        id: 'call',
        parent: 'root',
        service: 'gateway',
        name: 'POST',
        kind: 'client',
        start: 10,
        end: 20,
        attributes: { 'peer.service': 'model' },
      },
    ]);
    expect(report.hop_gaps).toEqual([]);
    expect(report.warnings).toEqual([
      expect.stringMatching(/^1 call to uninstrumented dependencies: a remote service: model \(1\): no server span under them/),
    ]);
    expect(report.dependencies).toEqual([
      {
        peer: 'model',
        callers: ['gateway'],
        what: 'remote service',
        calls: 1,
        total_ms: 10,
        operations: ['POST'],
        span_ids: [expect.any(String)],
      },
    ]);
  });
});
