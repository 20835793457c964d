// VictoriaLogs as a cluster: the front end (:9428, what the collector and the console use)
// spreads writes over two storage nodes and asks both on every query. With a node down a query
// answers from the other (-search.allowPartialResponse) and new lines go to the node that is
// up; once the node is back, the answers are whole again. The node is stopped cleanly (SIGTERM,
// as for maintenance): killed outright, a node loses the lines it had not yet flushed to disk
// (measured in docs/scaling.md).
import { afterAll, describe, expect, it } from 'vitest';
import { backend, instanceNames, instancePort } from '../../tools/backends/index';
import { eventually, logsQuery, stackControl } from '../e2e/support';
import { predictInTrace, type Sent, seededRandom } from './support';

const STORAGE = backend('victorialogs-storage');
const [NODE_1, NODE_2] = instanceNames(STORAGE) as [string, string];
const nodeUrl = (replica: number) => `http://127.0.0.1:${instancePort(STORAGE, 'http', { mode: 'native', replica })}`;

/** The log lines of these traces, counted by the front end or by one storage node. */
async function linesOf(traces: Sent[], url?: string): Promise<number> {
  const query = `trace_id:in(${traces.map((t) => t.traceId).join(',')}) | stats count() lines`;
  if (!url) return Number((await logsQuery(query))[0]?.lines ?? 0);
  const response = await fetch(`${url}/select/logsql/query`, { method: 'POST', body: new URLSearchParams({ query }) });
  if (!response.ok) throw new Error(`${url}: ${response.status} ${await response.text()}`);
  return Number((JSON.parse((await response.text()).trim() || '{}') as { lines?: string }).lines ?? 0);
}

/** The counts must hold this long: a request that fell back on a busy machine logs more lines, which may still be on their way. */
const STABLE_MS = 5_000;

/** Waits until the front end's count of these traces' lines is the same as the sum of both nodes' and stays at it. */
function untilWhole(traces: Sent[], what: string) {
  let seen: { counts: string; since: number } | undefined;
  return eventually(
    async () => {
      const [front, one, two] = [await linesOf(traces), await linesOf(traces, nodeUrl(1)), await linesOf(traces, nodeUrl(2))];
      // Every request logs at least one line in each of gateway and model-inference.
      if (front < 2 * traces.length || front !== one + two) return undefined;
      const counts = `${front}/${one}/${two}`;
      if (seen?.counts !== counts) seen = { counts, since: Date.now() };
      return Date.now() - seen.since >= STABLE_MS ? { front, one, two } : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 1000, what },
  );
}

describe('the VictoriaLogs cluster', () => {
  afterAll(async () => {
    await stackControl('restart', NODE_1);
  });

  it('answers through the front end with a storage node down, and is whole again once it is back', async () => {
    const random = seededRandom(77);
    const first: Sent[] = [];
    for (let i = 0; i < 20; i++) first.push(await predictInTrace(random));
    const whole = await untilWhole(first, 'the first requests’ log lines on the two storage nodes');
    // Both nodes hold some: writes are spread by stream.
    expect(whole.one).toBeGreaterThan(0);
    expect(whole.two).toBeGreaterThan(0);

    await stackControl('kill', NODE_1, 'SIGTERM');
    // A query still answers: with the lines node 2 holds.
    expect(await linesOf(first)).toBe(whole.two);
    // New lines go to the node that is up, and are all queryable.
    const second: Sent[] = [];
    for (let i = 0; i < 20; i++) second.push(await predictInTrace(random));
    let seen: { front: number; since: number } | undefined;
    const duringOutage = await eventually(
      async () => {
        const [front, two] = [await linesOf(second), await linesOf(second, nodeUrl(2))];
        if (front < 2 * second.length || front !== two) return undefined;
        if (seen?.front !== front) seen = { front, since: Date.now() };
        return Date.now() - seen.since >= STABLE_MS ? front : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 1000, what: `the second requests' log lines on ${NODE_2} alone` },
    );
    expect(duringOutage).toBeGreaterThanOrEqual(2 * second.length);

    await stackControl('restart', NODE_1);
    const after = await untilWhole(first, 'the first requests’ log lines whole again');
    expect(after.front).toBe(whole.front);
    expect(await linesOf(second)).toBe(duringOutage);
  });
});
