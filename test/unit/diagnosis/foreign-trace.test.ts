// One trace of an application tracelab does not own (six services, an uninstrumented database and
// cache, span events, an N+1 and a retry): the single-trace verdict and report must read it by the
// OpenTelemetry conventions, not by tracelab's names.
import { describe, expect, it } from 'vitest';
import { renderReport } from '../../../analysis/text';
import { reportOf, type SpanSpec } from '../analysis/fixtures';

const lookups: SpanSpec[] = Array.from({ length: 13 }, (_, i) => ({
  id: `redis${i}`,
  parent: 'driver',
  service: 'driver',
  name: 'GetDriver',
  kind: 'client' as const,
  start: 1262 + i * 18,
  end: 1262 + i * 18 + 15,
  attributes: { 'db.system': 'redis', 'peer.service': 'redis', 'param.driverID': `T7${String(i).padStart(5, '0')}` },
}));

const dispatch: SpanSpec[] = [
  { id: 'root', service: 'frontend', name: 'HTTP GET /dispatch', kind: 'server', start: 0, end: 1666 },
  { id: 'cfg-call', parent: 'root', service: 'frontend', name: 'HTTP GET /config', kind: 'client', start: 1, end: 3 },
  { id: 'cfg', parent: 'cfg-call', service: 'config', name: 'HTTP GET /config', kind: 'server', start: 1.5, end: 2.5 },
  { id: 'cust-call', parent: 'root', service: 'frontend', name: 'HTTP GET /customer', kind: 'client', start: 4, end: 1252 },
  { id: 'cust', parent: 'cust-call', service: 'customer', name: 'HTTP GET /customer', kind: 'server', start: 4.5, end: 1251.5 },
  {
    id: 'sql',
    parent: 'cust',
    service: 'customer',
    name: 'SQL SELECT',
    kind: 'client',
    start: 5,
    end: 1251,
    attributes: { 'db.system': 'mysql', 'peer.service': 'mysql', 'db.statement': 'SELECT * FROM customer WHERE customer_id=123' },
    events: [{ name: 'Waiting for lock behind 3 transactions', at: 5.1, attributes: { blockers: '[1, 2, 3]' } }],
  },
  { id: 'drv-call', parent: 'root', service: 'frontend', name: 'driver::findNearest', kind: 'client', start: 1253, end: 1530 },
  {
    id: 'driver',
    parent: 'drv-call',
    service: 'driver',
    name: '/driver.DriverService/FindNearest',
    kind: 'server',
    start: 1254,
    end: 1529,
  },
  {
    id: 'find',
    parent: 'driver',
    service: 'driver',
    name: 'FindDriverIDs',
    kind: 'client',
    start: 1255,
    end: 1260,
    attributes: { 'db.system': 'redis', 'peer.service': 'redis' },
  },
  ...lookups,
  // One lookup failed and was tried again with the same key: a retry inside the N+1.
  {
    id: 'redis-fail',
    parent: 'driver',
    service: 'driver',
    name: 'GetDriver',
    kind: 'client',
    start: 1496,
    end: 1506,
    error: 'redis timeout',
    attributes: { 'db.system': 'redis', 'peer.service': 'redis', 'param.driverID': 'T700013' },
  },
  {
    id: 'redis-retry',
    parent: 'driver',
    service: 'driver',
    name: 'GetDriver',
    kind: 'client',
    start: 1507,
    end: 1520,
    attributes: { 'db.system': 'redis', 'peer.service': 'redis', 'param.driverID': 'T700013' },
  },
  {
    id: 'route-1',
    parent: 'root',
    service: 'frontend',
    name: 'HTTP GET /route',
    kind: 'client',
    start: 1531,
    end: 1560,
    error: 'HTTP 503',
  },
  {
    id: 'route-s1',
    parent: 'route-1',
    service: 'route',
    name: 'HTTP GET /route',
    kind: 'server',
    start: 1532,
    end: 1559,
    error: 'overloaded',
  },
  { id: 'route-2', parent: 'root', service: 'frontend', name: 'HTTP GET /route', kind: 'client', start: 1561, end: 1660 },
  { id: 'route-s2', parent: 'route-2', service: 'route', name: 'HTTP GET /route', kind: 'server', start: 1562, end: 1659 },
  { id: 'geo-call', parent: 'route-s2', service: 'route', name: 'HTTP GET /geo', kind: 'client', start: 1563, end: 1600 },
  { id: 'geo', parent: 'geo-call', service: 'geo', name: 'HTTP GET /geo', kind: 'server', start: 1564, end: 1599 },
];

describe('a foreign application, one trace', () => {
  const report = reportOf(dispatch);

  it('names the slow call to an uninstrumented database as such, not as a gap between services', () => {
    expect(report.verdict).toMatch(
      /^1,246 ms of 1,666 ms is a call from customer to the database `mysql` \(SQL SELECT; uninstrumented: no server span below\)/,
    );
    expect(report.verdict).not.toMatch(/hop gaps|between the services/);
  });

  it('tells the N+1 from the retries: different keys and no failure before the repeat, or a repeat after a failure', () => {
    expect(report.fan_outs).toEqual([
      expect.objectContaining({
        service: 'driver',
        operation: 'GetDriver',
        peer: 'redis',
        calls: 14,
        distinct_arguments: 14,
        sequential: true,
      }),
    ]);
    expect(report.retries).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ service: 'driver', peer: 'redis', attempts: 2 }),
        expect.objectContaining({ service: 'frontend', operation: 'HTTP GET /route', peer: 'route', attempts: 2 }),
      ]),
    );
    expect(report.verdict).toContain('14 sequential calls from driver to redis (GetDriver) with different arguments: an N+1 pattern');
    expect(report.verdict).toContain('frontend called route (HTTP GET /route) 2 times, retrying after failures');
  });

  it('reads the span event that says why the query waited', () => {
    expect(report.wait_spans).toEqual([
      expect.objectContaining({
        service: 'customer',
        operation: 'SQL SELECT',
        event: 'Waiting for lock behind 3 transactions ([1, 2, 3])',
      }),
    ]);
    expect(report.verdict).toContain('customer › SQL SELECT waited: "Waiting for lock behind 3 transactions ([1, 2, 3])"');
  });

  it('groups the warnings about calls without a server span by dependency', () => {
    expect(report.warnings).toEqual([
      expect.stringMatching(/^17 calls to uninstrumented dependencies: a cache: redis \(16\), a database: mysql \(1\): /),
    ]);
    expect(report.dependencies.map((d) => [d.peer, d.what, d.calls])).toEqual([
      ['redis', 'cache', 16],
      ['mysql', 'database', 1],
    ]);
    const text = renderReport(report, { color: false });
    expect(text).toContain('redis (cache): 16 calls from driver');
    expect(text).toContain('N+1: 14 sequential calls from driver to redis (GetDriver), 14 different arguments');
  });

  it('reports time spent before a call starts as waiting in the caller, not as a hop gap', () => {
    const queued = reportOf([
      { id: 'root', service: 'api', name: 'POST /orders', kind: 'server', start: 0, end: 200 },
      { id: 'call', parent: 'root', service: 'api', name: 'POST', kind: 'client', start: 150, end: 195 },
      { id: 'srv', parent: 'call', service: 'billing', name: 'POST /charge', kind: 'server', start: 151, end: 194 },
    ]);
    expect(queued.waits).toEqual([expect.objectContaining({ service: 'api', operation: 'POST /orders', peer: 'billing', wait_ms: 150 })]);
    expect(queued.hop_gaps[0]).toMatchObject({ before_ms: 1 });
    expect(queued.verdict).toMatch(
      /^\d+ % of 200 ms is api › POST \/orders \(self 155 ms, of which 150 ms waiting before its call to billing\)/,
    );
  });
});
