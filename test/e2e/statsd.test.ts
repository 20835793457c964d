// StatsD push end to end (docs/lessons/push-and-pull.md): plain-text lines over UDP to the
// collector's statsd receiver (127.0.0.1:8125), summed per 5 s interval, turned from deltas into
// cumulative counters by delta_to_cumulative, pushed to Prometheus over OTLP, read back with PromQL.
// Each run uses its own metric names, so reruns against a kept Prometheus do not collide.
import dgram from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, type PromSample, randomHex, stackControl, URLS } from './support';

const STATSD_PORT = 8125;
const STATSD_HOST = '127.0.0.1';

// StatsD names use dots; Prometheus turns them into underscores.
const statsd = `lesson.e2e_${randomHex(4)}`;
const prom = statsd.replaceAll('.', '_');
const COUNTER = { statsd: `${statsd}.orders`, prom: `${prom}_orders_total` };
const GAUGE = { statsd: `${statsd}.queue_depth`, prom: `${prom}_queue_depth` };
const TIMER = { statsd: `${statsd}.checkout`, prom: `${prom}_checkout` };
const LOST = { statsd: `${statsd}.lost`, prom: `${prom}_lost_total` };

const FIRST_INCREMENTS = 20;
const SECOND_INCREMENTS = 10;
const FIRST_GAUGES = [7, 13, 42];
const SECOND_GAUGES = [99, 64];
/** 1, 2, … 100 ms: count 100, sum 5050. */
const TIMINGS = Array.from({ length: 100 }, (_, i) => i + 1);

/** Flush every 5 s, batch, push, ingest: well under this, even on two busy cores. */
const ARRIVAL_TIMEOUT_MS = 60_000;

let socket: dgram.Socket;

/** Sends one datagram (several StatsD lines may share one, separated by newlines). */
function send(...lines: string[]): Promise<void> {
  return new Promise((resolve, reject) =>
    socket.send(lines.join('\n'), STATSD_PORT, STATSD_HOST, (error) => (error ? reject(error) : resolve())),
  );
}

interface PromAnswer {
  result: PromSample[];
  infos: string[];
  warnings: string[];
}

async function prometheus(query: string): Promise<PromAnswer> {
  const response = await fetch(`${URLS.prometheus}/api/v1/query?${new URLSearchParams({ query })}`);
  const body = (await response.json()) as {
    status: string;
    data?: { result: PromSample[] };
    infos?: string[];
    warnings?: string[];
    error?: string;
  };
  if (body.status !== 'success') throw new Error(`PromQL ${query}: ${body.error}`);
  return { result: body.data!.result, infos: body.infos ?? [], warnings: body.warnings ?? [] };
}

/** The value of a query that returns one series; undefined while it returns none. */
async function scalarOf(query: string): Promise<number | undefined> {
  const { result } = await prometheus(query);
  if (result.length > 1) throw new Error(`${query} returned ${result.length} series`);
  return result.length ? Number(result[0]!.value[1]) : undefined;
}

/** Polls until the query's value is `expected`; on timeout, fails showing the last value seen. */
async function expectValue(query: string, expected: number): Promise<void> {
  let last: number | undefined;
  await eventually(
    async () => {
      last = await scalarOf(query);
      return last === expected ? true : undefined;
    },
    { timeoutMs: ARRIVAL_TIMEOUT_MS, intervalMs: 500, what: `${query} = ${expected}` },
  ).catch(() => undefined);
  expect(last, query).toBe(expected);
}

beforeAll(async () => {
  socket = dgram.createSocket('udp4');
  // One datagram per increment and per gauge value, as a naive client sends them; the timings in
  // one datagram, as a buffering client does.
  for (let i = 0; i < FIRST_INCREMENTS; i++) await send(`${COUNTER.statsd}:1|c`);
  for (const value of FIRST_GAUGES) await send(`${GAUGE.statsd}:${value}|g`);
  await send(...TIMINGS.map((ms) => `${TIMER.statsd}:${ms}|ms`));
});

afterAll(() => {
  socket?.close();
});

describe('StatsD over UDP, through the collector, into Prometheus', () => {
  it('sums a counter sent N times into a Prometheus counter named <name>_total, equal to N', async () => {
    await expectValue(COUNTER.prom, FIRST_INCREMENTS);
  });

  it('keeps the last value of a gauge', async () => {
    await expectValue(GAUGE.prom, FIRST_GAUGES.at(-1)!);
  });

  it('turns a timer into a summary: quantile series 0.5, 0.9, 0.99 inside the range sent', async () => {
    const quantiles = await eventually(
      async () => {
        const { result } = await prometheus(TIMER.prom);
        return result.length === 3 ? result : undefined;
      },
      { timeoutMs: ARRIVAL_TIMEOUT_MS, intervalMs: 500, what: `three quantile series of ${TIMER.prom}` },
    );
    const byQuantile = new Map(quantiles.map((s) => [s.metric.quantile, Number(s.value[1])]));
    expect([...byQuantile.keys()].sort()).toEqual(['0.5', '0.9', '0.99']);
    for (const [quantile, value] of byQuantile) {
      expect(value, `quantile ${quantile}`).toBeGreaterThanOrEqual(Math.min(...TIMINGS));
      expect(value, `quantile ${quantile}`).toBeLessThanOrEqual(Math.max(...TIMINGS));
    }
    expect(byQuantile.get('0.5')!).toBeLessThanOrEqual(byQuantile.get('0.9')!);
    expect(byQuantile.get('0.9')!).toBeLessThanOrEqual(byQuantile.get('0.99')!);
    // A summary, not a histogram: no buckets.
    expect((await prometheus(`${TIMER.prom}_bucket`)).result).toEqual([]);
    // _count and _sum hold each interval's own count and sum (they are not cumulative): added up
    // over the intervals they are exactly what was sent, however the timings fell into intervals.
    await expectValue(`sum_over_time(${TIMER.prom}_count[10m])`, TIMINGS.length);
    await expectValue(
      `sum_over_time(${TIMER.prom}_sum[10m])`,
      TIMINGS.reduce((a, b) => a + b, 0),
    );
  });

  it('adds a later interval to the counter (delta → cumulative) and replaces the gauge', async () => {
    // Both values of the first interval are in Prometheus, so these lines land in a later interval.
    await expectValue(COUNTER.prom, FIRST_INCREMENTS);
    await expectValue(GAUGE.prom, FIRST_GAUGES.at(-1)!);
    for (let i = 0; i < SECOND_INCREMENTS; i++) await send(`${COUNTER.statsd}:1|c`);
    for (const value of SECOND_GAUGES) await send(`${GAUGE.statsd}:${value}|g`);
    await expectValue(COUNTER.prom, FIRST_INCREMENTS + SECOND_INCREMENTS);
    await expectValue(GAUGE.prom, SECOND_GAUGES.at(-1)!);
    // Two samples each now, so rate() has something to work with.
    const samples = await prometheus(`count_over_time(${COUNTER.prom}[10m])`);
    expect(Number(samples.result[0]?.value[1])).toBeGreaterThanOrEqual(2);
  });

  it('is a counter to PromQL: rate() works on it without the "might not be a counter" info it gives the gauge', async () => {
    // The name is the type here: OTLP-ingested series have no entry in /api/v1/metadata.
    expect((await prometheus(COUNTER.prom.replace(/_total$/, ''))).result).toEqual([]);
    const counterRate = await prometheus(`rate(${COUNTER.prom}[10m])`);
    expect(counterRate.result).toHaveLength(1);
    expect(Number(counterRate.result[0]!.value[1])).toBeGreaterThan(0);
    expect([...counterRate.infos, ...counterRate.warnings]).toEqual([]);
    // The control: the same check on the gauge does complain, so the one above can fail.
    const gaugeRate = await prometheus(`rate(${GAUGE.prom}[10m])`);
    expect(gaugeRate.result).toHaveLength(1);
    expect(gaugeRate.infos.join('\n')).toContain('might not be a counter');
  });

  it('loses lines sent while the receiver is down, and the sender is not told', async () => {
    await stackControl('kill', 'collector');
    try {
      // Nobody listens on 8125 now; every send still succeeds.
      for (let i = 0; i < 5; i++) await expect(send(`${LOST.statsd}:1|c`)).resolves.toBeUndefined();
    } finally {
      await stackControl('restart', 'collector');
    }
    await send(`${LOST.statsd}:1|c`);
    // Only the line sent after the restart arrived: 1, never 6.
    await expectValue(LOST.prom, 1);
    expect(await scalarOf(`max_over_time(${LOST.prom}[10m])`)).toBe(1);
  });
});
