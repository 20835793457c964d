// Outage drills on the real native stack: what the pipeline accepted must arrive once the
// backends are back, a dead service is restarted by the runner, and stored traces survive a
// restart of Jaeger. Each drill prints what it sent, what arrived and how long recovery took.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { stateDir } from '../../local/paths';
import { SERVICE_REGISTRY } from '../../services/registry';
import { eventually, jaegerTrace, logsQuery, predict, promQuery, restoreHealthyModel, URLS, waitForCompleteTrace } from './support';

/** The outage every backend drill holds: long enough for the SDK and collector retries to give up on a memory queue. */
const OUTAGE_MS = 30_000;
/** Steady load while a drill runs: one prediction every 100 ms. */
const LOAD_INTERVAL_MS = 100;

interface ProcessStatus {
  name: string;
  state: string;
  pid?: number;
  restarts: number;
}

async function control(action: string, name: string, query = ''): Promise<void> {
  const response = await fetch(`${inject('stackControlUrl')}/${action}/${name}${query}`, { method: 'POST' });
  if (!response.ok) throw new Error(`${action} ${name}: ${response.status} ${await response.text()}`);
}

async function status(name: string): Promise<ProcessStatus> {
  const rows = (await (await fetch(`${inject('stackControlUrl')}/status`)).json()) as ProcessStatus[];
  return rows.find((r) => r.name === name)!;
}

/** Sends predictions at a steady pace until stopped; keeps each answer's trace id. */
function steadyLoad() {
  const traceIds: string[] = [];
  const statuses: number[] = [];
  let running = true;
  const done = (async () => {
    while (running) {
      const next = Date.now() + LOAD_INTERVAL_MS;
      const answer = await predict();
      statuses.push(answer.status);
      if (answer.body.trace_id) traceIds.push(answer.body.trace_id as string);
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, next - Date.now())));
    }
  })();
  return {
    traceIds,
    statuses,
    async stop() {
      running = false;
      await done;
    },
  };
}

/** Bytes in the collector's persistent queue folder. */
function queueBytes(): number {
  const dir = path.join(stateDir, 'e2e', 'data', 'collector');
  if (!fs.existsSync(dir)) return 0;
  return fs.readdirSync(dir).reduce((sum, file) => sum + fs.statSync(path.join(dir, file)).size, 0);
}

/** The gateway's own count of answered predictions, read from its /metrics (what Prometheus scrapes). */
async function gatewayPredictCount(): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${SERVICE_REGISTRY.gateway.metricsPort}/metrics`)).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith('http_server_request_duration_count{'))
    .filter((line) => line.includes('http_route="/v1/predict"') && line.includes('http_response_status_code="200"'))
    .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
}

/** The raw samples of one series over the last `seconds` (a range selector: query_range's lookback would hide a hole). */
async function promRange(series: string, seconds: number): Promise<[number, string][]> {
  const params = new URLSearchParams({ query: `${series}[${seconds}s]` });
  const body = (await (await fetch(`${URLS.prometheus}/api/v1/query?${params}`)).json()) as {
    data: { result: { values: [number, string][] }[] };
  };
  return body.data.result[0]?.values ?? [];
}

/** Traces of `ids` that Jaeger has complete (a root, and a server span under every client span). */
async function completeTraces(ids: string[]): Promise<number> {
  let complete = 0;
  for (const id of ids) {
    const t = await jaegerTrace(id);
    if (!t) continue;
    const parents = new Set(t.spans.flatMap((s) => s.references.map((r) => r.spanID)));
    const root = t.spans.some((s) => s.references.length === 0);
    const clients = t.spans.filter((s) => s.tags.some((tag) => tag.key === 'span.kind' && tag.value === 'client'));
    if (root && clients.every((s) => parents.has(s.spanID))) complete++;
  }
  return complete;
}

/** The gateway's access-log lines in VictoriaLogs, by trace id (one request, one trace, one line). */
async function accessLogTraceIds(sinceMs: number): Promise<Set<string>> {
  const minutes = Math.ceil((Date.now() - sinceMs) / 60_000) + 1;
  const rows = await logsQuery(`_time:${minutes}m {service.name="gateway"} "request completed" | fields trace_id`, 100_000);
  return new Set(rows.map((r) => r.trace_id!));
}

describe('outage drills', () => {
  it('loses no span, log line or counter increment while Jaeger, VictoriaLogs and Prometheus are down 30 s and the collector restarts', async () => {
    const started = Date.now();
    const countBefore = await gatewayPredictCount();
    const load = steadyLoad();
    // Requests before the outage reach every backend normally.
    await eventually(() => (load.traceIds.length >= 20 ? true : undefined), { timeoutMs: 10_000, what: 'load to start' });
    const outageStart = Date.now();
    for (const name of ['jaeger', 'victorialogs', 'prometheus']) await control('kill', name, '?signal=SIGTERM');
    let peakQueue = 0;
    const sampleQueue = setInterval(() => {
      peakQueue = Math.max(peakQueue, queueBytes());
    }, 1000);
    // Midway, the collector restarts with whatever it queued on disk.
    await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS / 2));
    await control('restart', 'collector');
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, outageStart + OUTAGE_MS - Date.now())));
    const backAt = Date.now();
    for (const name of ['prometheus', 'victorialogs', 'jaeger']) await control('restart', name);
    // A little load after the outage too, then stop: the set of requests is closed.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    await load.stop();
    clearInterval(sampleQueue);
    const sent = load.traceIds;
    expect(
      load.statuses.every((s) => s === 200),
      'every request answered 200 throughout',
    ).toBe(true);

    // Traces: every request's trace complete in Jaeger.
    let tracesStored = 0;
    await eventually(
      async () => {
        tracesStored = await completeTraces(sent);
        return tracesStored === sent.length ? true : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 2_000, what: `all ${sent.length} traces complete in Jaeger` },
    ).catch((error: unknown) => {
      console.log(`[drill traces] sent ${sent.length}, complete in Jaeger ${tracesStored}`);
      throw error;
    });
    const tracesRecovered = Date.now() - backAt;

    // Logs: every request's access-log line.
    let linesStored = 0;
    await eventually(
      async () => {
        const stored = await accessLogTraceIds(started);
        linesStored = sent.filter((id) => stored.has(id)).length;
        return linesStored === sent.length ? true : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 2_000, what: `all ${sent.length} gateway access-log lines in VictoriaLogs` },
    ).catch((error: unknown) => {
      console.log(`[drill logs] sent ${sent.length}, stored ${linesStored}`);
      throw error;
    });
    const logsRecovered = Date.now() - backAt;

    // Metrics: Prometheus pulls the services' counters every 5 s, so while it is down nobody
    // scrapes: pull loses resolution (the series has a hole as long as the outage), not counts.
    // The counter is cumulative, and the first scrape after Prometheus is back carries every
    // increment made meanwhile: its value is the gateway's own count before the drill plus every
    // request the drill sent.
    const series = 'sum(http_server_request_duration_count{job="gateway",http_route="/v1/predict",http_response_status_code="200"})';
    const wantedCount = countBefore + sent.length;
    let storedCount = 0;
    await eventually(
      async () => {
        storedCount = Number((await promQuery(series))[0]?.value[1] ?? 0);
        return storedCount === wantedCount ? true : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 2_000, what: `the gateway request counter in Prometheus to reach ${wantedCount}` },
    ).catch((error: unknown) => {
      console.log(`[drill metrics] counter before ${countBefore}, sent ${sent.length}, stored ${storedCount}`);
      throw error;
    });
    // The hole itself: the outage plus Prometheus's restart and its first scrape, no more.
    const windowS = Math.ceil((Date.now() - outageStart) / 1000) + 20;
    const times = (await promRange(series.replace(/^sum\((.*)\)$/, '$1'), windowS)).map(([t]) => t);
    expect(times[0], 'a sample from before the outage').toBeLessThan(outageStart / 1000);
    let maxGapS = 0;
    for (let i = 1; i < times.length; i++) maxGapS = Math.max(maxGapS, Math.round(times[i]! - times[i - 1]!));
    expect(maxGapS, 'longest hole in the counter (s)').toBeLessThanOrEqual(OUTAGE_MS / 1000 + 30);
    const metricsRecovered = Date.now() - backAt;

    console.log(
      `[drill outage] ${OUTAGE_MS / 1000} s outage of jaeger+victorialogs+prometheus, collector restarted once:\n` +
        `  requests sent ${sent.length} (all 200)\n` +
        `  traces complete in Jaeger ${tracesStored}/${sent.length}, recovered ${(tracesRecovered / 1000).toFixed(1)} s after the backends were back\n` +
        `  gateway access-log lines ${linesStored}/${sent.length}, recovered ${(logsRecovered / 1000).toFixed(1)} s after\n` +
        `  gateway request counter ${storedCount} = ${countBefore} before + ${sent.length} sent; longest hole between samples ${maxGapS} s (scrape interval 5 s), recovered ${(metricsRecovered / 1000).toFixed(1)} s after\n` +
        `  collector queue on disk at its peak ${(peakQueue / 1024).toFixed(0)} KiB`,
    );
  });

  it('restarts a SIGKILLed service, answering its requests from the fallback meanwhile', async () => {
    const before = await status('model-inference');
    const load = steadyLoad();
    const killedAt = Date.now();
    await control('kill', 'model-inference', '?supervise=1');
    const restarted = await eventually(
      async () => {
        const now = await status('model-inference');
        return now.state === 'running' && now.restarts === before.restarts + 1 ? now : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 200, what: 'the runner to restart model-inference' },
    );
    const recovery = Date.now() - killedAt;
    await load.stop();
    await restoreHealthyModel();
    const fallbacks = load.statuses.length;
    expect(restarted.pid).not.toBe(before.pid);
    expect(
      load.statuses.every((s) => s === 200),
      'every request answered while the model was gone',
    ).toBe(true);
    console.log(
      `[drill service] model-inference SIGKILLed: restarted by the runner (pid ${before.pid} → ${restarted.pid}) in ${(recovery / 1000).toFixed(1)} s; ${fallbacks} requests meanwhile, all 200`,
    );
  });

  it('keeps stored traces across a Jaeger restart (Badger on disk)', async () => {
    const answer = await predict();
    const traceId = answer.body.trace_id as string;
    const before = await waitForCompleteTrace(traceId);
    const restartAt = Date.now();
    await control('restart', 'jaeger');
    const after = await eventually(() => jaegerTrace(traceId), { timeoutMs: 30_000, what: `trace ${traceId} after the restart` });
    expect(after.spans.length).toBe(before.spans.length);
    console.log(
      `[drill restart] trace ${traceId}: ${before.spans.length} spans before, ${after.spans.length} after a Jaeger restart (${((Date.now() - restartAt) / 1000).toFixed(1)} s)`,
    );
  });
});
