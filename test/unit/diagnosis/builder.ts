// A small builder of synthetic traces for the diagnosis tests: a foreign application (not
// tracelab's) made of services that call each other, an uninstrumented database and cache (client
// leaf spans with db.system / peer.service), span events, and faults switched on per trace.
// Seeded: the same calls build the same traces.
import { normalizeJaegerTrace, type SpanKind, type Trace } from '../../../analysis';
import type { DiagnosisInput, MetricResult } from '../../../analysis/diagnosis';

export interface SpanSpec {
  id: string;
  parent?: string;
  /** A parent id recorded but not in the trace (an orphan). */
  lostParent?: string;
  service: string;
  name: string;
  kind?: SpanKind;
  /** ms from the trace's start */
  start: number;
  end: number;
  error?: string;
  attributes?: Record<string, string | number>;
  events?: { name: string; at: number; attributes?: Record<string, string> }[];
}

const KINDS: SpanKind[] = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];
const hex = (n: number, digits: number) => n.toString(16).padStart(digits, '0').slice(-digits);
const attrs = (a: Record<string, string | number> = {}) =>
  Object.entries(a).map(([key, value]) => ({
    key,
    value: typeof value === 'string' ? { stringValue: value } : { intValue: String(value) },
  }));

/** A trace from span specs; `versions` gives services a service.version resource attribute. */
export function buildTrace(traceNumber: number, startMs: number, specs: SpanSpec[], versions: Record<string, string> = {}): Trace {
  const traceId = `${hex(0xd1a9, 4)}${hex(traceNumber, 28)}`;
  const spanIds = new Map(specs.map((s, i) => [s.id, `${hex(traceNumber % 0xffff, 4)}${hex(i + 1, 12)}`]));
  const ns = (ms: number) => (BigInt(Math.round(startMs)) * 1_000_000n + BigInt(Math.round(ms * 1e6))).toString();
  const services = [...new Set(specs.map((s) => s.service))];
  return normalizeJaegerTrace({
    result: {
      resourceSpans: services.map((service) => ({
        resource: {
          attributes: attrs({ 'service.name': service, ...(versions[service] ? { 'service.version': versions[service] } : {}) }),
        },
        scopeSpans: [
          {
            scope: { name: 'builder' },
            spans: specs
              .filter((s) => s.service === service)
              .map((s) => ({
                traceId,
                spanId: spanIds.get(s.id),
                ...(s.parent ? { parentSpanId: spanIds.get(s.parent) } : s.lostParent ? { parentSpanId: 'ffffffffffffffff' } : {}),
                name: s.name,
                kind: KINDS.indexOf(s.kind ?? 'internal'),
                startTimeUnixNano: ns(s.start),
                endTimeUnixNano: ns(s.end),
                attributes: attrs(s.attributes),
                events: (s.events ?? []).map((e) => ({ name: e.name, timeUnixNano: ns(e.at), attributes: attrs(e.attributes) })),
                status: s.error ? { code: 2, message: s.error } : {},
              })),
          },
        ],
      })),
    },
  });
}

/** A seeded generator (mulberry32). */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A log-normal draw by median and p99. */
export function logNormal(next: () => number, median: number, p99: number): number {
  const sigma = Math.log(p99 / median) / 2.326;
  const u = Math.max(1e-12, next());
  const v = next();
  return median * Math.exp(sigma * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v));
}

/** Faults of the synthetic shop, each off by default. */
export interface ShopFaults {
  /** orders' own pricing work: median ms (usual 20). */
  pricingMs?: number;
  /** A wait span in orders before pricing (a connection pool), median ms. */
  poolWaitMs?: number;
  /** A lock event on the pricing span: "Waiting for lock behind N transactions". */
  lockEvent?: boolean;
  /** frontend waits this long before calling orders (its own queue). */
  waitBeforeCallMs?: number;
  /** orders looks prices up in the cache once per item (N+1), this many items. */
  cacheLookups?: number;
  /** Share of orders calls that fail (a 500 from pricing). */
  errorShare?: number;
  /** frontend retries a failed orders call up to this many attempts. */
  attempts?: number;
  /** frontend gives up on orders after this many ms (its budget), orders runs on. */
  budgetMs?: number;
  /** orders' server span starts this long after the client span (queued before the handler). */
  hopGapMs?: number;
  /** The mysql query: median ms (usual 8). */
  mysqlMs?: number;
  /** Share of traces on which orders runs a new version. */
  newVersionShare?: number;
  /** frontend's call to orders drops the trace context: orders' work becomes a trace of its own. */
  dropContext?: boolean;
}

/**
 * One checkout: frontend (server) → orders (client → server) → pricing (internal), a mysql query and
 * a redis lookup (uninstrumented leaves). Returns one trace, or two when the context is dropped.
 */
export function shopTraces(n: number, startMs: number, next: () => number, f: ShopFaults = {}): Trace[] {
  const specs: SpanSpec[] = [];
  const split: SpanSpec[] = [];
  let cursor = 1;
  const frontendStart = 0;
  const attemptsMax = f.attempts ?? 1;
  cursor += f.waitBeforeCallMs ? logNormal(next, f.waitBeforeCallMs, f.waitBeforeCallMs * 2) : 0.3;
  for (let attempt = 1; attempt <= attemptsMax; attempt++) {
    const clientId = `client${attempt}`;
    const clientStart = cursor;
    const gap = f.hopGapMs ? logNormal(next, f.hopGapMs, f.hopGapMs * 2) : 0.5 + next() * 0.3;
    let t = clientStart + gap;
    const serverStart = t;
    const inner: SpanSpec[] = [];
    if (f.poolWaitMs) {
      const wait = logNormal(next, f.poolWaitMs, f.poolWaitMs * 3);
      inner.push({ id: `pool${attempt}`, parent: `server${attempt}`, service: 'orders', name: 'db.pool.acquire', start: t, end: t + wait });
      t += wait;
    }
    const mysql = logNormal(next, f.mysqlMs ?? 8, (f.mysqlMs ?? 8) * 3);
    inner.push({
      id: `mysql${attempt}`,
      parent: `server${attempt}`,
      service: 'orders',
      name: 'SELECT orders',
      kind: 'client',
      start: t,
      end: t + mysql,
      attributes: { 'db.system': 'mysql', 'peer.service': 'mysql', 'db.statement': `SELECT * FROM orders WHERE id = ${n}` },
    });
    t += mysql + 0.2;
    for (let item = 0; item < (f.cacheLookups ?? 1); item++) {
      const lookup = logNormal(next, 1, 3);
      inner.push({
        id: `redis${attempt}-${item}`,
        parent: `server${attempt}`,
        service: 'orders',
        name: 'GET',
        kind: 'client',
        start: t,
        end: t + lookup,
        attributes: { 'db.system': 'redis', 'peer.service': 'redis', 'db.statement': `GET price:${n}:${item}` },
      });
      t += lookup + 0.1;
    }
    const pricing = logNormal(next, f.pricingMs ?? 20, (f.pricingMs ?? 20) * 4);
    const fails = next() < (f.errorShare ?? 0);
    inner.push({
      id: `pricing${attempt}`,
      parent: `server${attempt}`,
      service: 'orders',
      name: 'pricing.compute',
      start: t,
      end: t + pricing,
      ...(fails ? { error: 'price table unavailable' } : {}),
      ...(f.lockEvent ? { events: [{ name: 'Waiting for lock behind 3 transactions', at: t + 0.1 }] } : {}),
    });
    t += pricing + 0.3;
    const serverEnd = t;
    let clientEnd = serverEnd + 0.4;
    let clientError = fails ? 'HTTP 500' : undefined;
    if (f.budgetMs !== undefined && clientEnd - clientStart > f.budgetMs) {
      clientEnd = clientStart + f.budgetMs;
      clientError = 'This operation was aborted';
    }
    const version = f.newVersionShare !== undefined && next() < f.newVersionShare ? '1.1.0' : '1.0.0';
    const server: SpanSpec = {
      id: `server${attempt}`,
      service: 'orders',
      name: 'POST /orders',
      kind: 'server',
      start: serverStart,
      end: serverEnd,
      attributes: { 'app.build.version': version },
      ...(fails ? { error: 'HTTP 500' } : {}),
    };
    const client: SpanSpec = {
      id: clientId,
      service: 'frontend',
      name: 'POST',
      kind: 'client',
      start: clientStart,
      end: clientEnd,
      attributes: { 'server.address': 'orders', 'url.full': 'http://orders/orders' },
      ...(clientError ? { error: clientError } : {}),
    };
    if (f.dropContext) {
      split.push({ ...client }, { ...server, parent: clientId }, ...inner);
    } else {
      specs.push({ ...client, parent: 'root' }, { ...server, parent: clientId }, ...inner);
    }
    cursor = clientEnd + 0.2;
    if (!clientError) {
      break;
    }
    if (clientError.includes('aborted')) break;
  }
  specs.unshift({
    id: 'root',
    service: 'frontend',
    name: 'GET /checkout',
    kind: 'server',
    start: frontendStart,
    end: cursor + 0.5,
    attributes: { 'http.route': '/checkout' },
  });
  const traces = [buildTrace(2 * n, startMs, specs)];
  if (split.length > 0) traces.push(buildTrace(2 * n + 1, startMs, split));
  return traces;
}

export const WINDOW = { fromMs: 1_764_000_600_000, toMs: 1_764_000_900_000 };
export const BASELINE = { fromMs: 1_764_000_000_000, toMs: 1_764_000_600_000 };

/** A window and a baseline of `count` checkouts each, faults only in the window. */
export function shopInput(
  faults: ShopFaults,
  { count = 120, seed = 1, metrics = [] as MetricResult[], baselineFaults = {} as ShopFaults } = {},
): DiagnosisInput {
  const next = random(seed);
  const period = (range: { fromMs: number; toMs: number }, f: ShopFaults, offset: number) =>
    Array.from({ length: count }, (_, i) =>
      shopTraces(offset + i, range.fromMs + ((range.toMs - range.fromMs) * i) / count, next, f),
    ).flat();
  return {
    window: WINDOW,
    baseline: BASELINE,
    traces: { baseline: period(BASELINE, baselineFaults, 0), window: period(WINDOW, faults, 10_000) },
    metrics,
    logs: { window: [], baseline: [] },
  };
}

/** A runtime metric result per service: window and baseline values. */
export function runtimeMetric(id: string, values: Record<string, [window: number, baseline: number]>): MetricResult {
  return {
    id,
    promql: `${id}[30s]`,
    window: Object.entries(values).map(([job, [value]]) => ({ labels: { job }, value })),
    baseline: Object.entries(values).map(([job, [, value]]) => ({ labels: { job }, value })),
  };
}
