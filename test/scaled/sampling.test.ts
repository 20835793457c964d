// Tail sampling behind trace-id load balancing (collector/config.gateway.yaml): every kept trace
// is whole and went through one gateway; every fallback (and failure) is kept; a share of the
// rest near the configured rate is kept; and the span metrics count every request, kept or not.
// The gateways also decide the model monitor's batch traces (each request publishes an event),
// so the traces kept besides ours are those batches, found by their links to our traces.
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../local/paths';
import { batchTracesSince, concurrently, eventually, HEALTHY_MODEL, jaegerTrace, promQuery } from '../e2e/support';
import {
  decisions,
  GATEWAY_COLLECTORS,
  gatewaysOf,
  incompleteness,
  predictInTrace,
  type Sent,
  seededRandom,
  setModelBehaviourInTrace,
  settledTrace,
  untilDecided,
  untilNothingHeld,
} from './support';

/** The share of the rest the gateways keep, as configured (without TAIL_SAMPLING_PERCENTAGE). */
const configuredShare = () => {
  const config = fs.readFileSync(path.join(repoRoot, 'collector', 'config.gateway.yaml'), 'utf8');
  return Number(/sampling_percentage: \$\{env:TAIL_SAMPLING_PERCENTAGE:-(\d+)\}/.exec(config)![1]) / 100;
};

const REST = 300;
const FALLBACKS = 30;
const MODEL_SERVICES = ['gateway', 'model-inference'];
const FALLBACK_SERVICES = ['gateway', 'fallback-rules'];

const requestsServed = async () =>
  Number(
    (
      await promQuery('sum(traces_span_metrics_calls_total{service_name="gateway",span_kind="SPAN_KIND_SERVER",http_route="/v1/predict"})')
    )[0]?.value[1] ?? 0,
  );

describe('the scaled topology keeps whole traces by policy', () => {
  let rest: Sent[];
  let fallbacks: Sent[];
  const kept = new Map<string, Awaited<ReturnType<typeof jaegerTrace>>>();
  let servedBefore: number;

  beforeAll(async () => {
    await untilNothingHeld();
    const before = await decisions();
    servedBefore = await requestsServed();
    // Seeded trace ids: the probabilistic policy hashes the trace id, so the kept share is the
    // same on every run. The control calls are traced too, and decided after `before`: each is
    // one of ours (a call before it would still be in flight when `before` is read).
    const random = seededRandom(14);
    const trafficStarted = Date.now();
    const controls = [await setModelBehaviourInTrace(random, HEALTHY_MODEL)];
    rest = await concurrently(REST, 4, () => predictInTrace(random));
    controls.push(await setModelBehaviourInTrace(random, { error_rate: 1 }));
    fallbacks = await concurrently(FALLBACKS, 4, () => predictInTrace(random));
    controls.push(await setModelBehaviourInTrace(random, HEALTHY_MODEL));
    // The batch traces count among the decisions too: once that many are made, the rest of ours
    // are the ones still held.
    await untilDecided(before, REST + FALLBACKS + controls.length);
    await untilNothingHeld();
    const after = await decisions();
    // Nothing else ran meanwhile, so the traces kept are ours (the control calls among them, kept
    // or not by their seeded ids) and the monitor's batches of our events (random ids, kept
    // at the configured share); each reaches Jaeger once its batch is out.
    const keptCount = after.kept - before.kept;
    const keptControls = new Set<string>();
    const keptBatches = new Set<string>();
    const ours = new Set([...fallbacks, ...rest].map((sent) => sent.traceId));
    await eventually(
      async () => {
        for (const sent of [...fallbacks, ...rest]) {
          if (kept.has(sent.traceId)) continue;
          const trace = await jaegerTrace(sent.traceId);
          if (trace) kept.set(sent.traceId, trace);
        }
        for (const traceId of controls) if (!keptControls.has(traceId) && (await jaegerTrace(traceId))) keptControls.add(traceId);
        for (const batch of await batchTracesSince(trafficStarted, 1000))
          if (batch.spans.some((span) => span.references.some((ref) => ours.has(ref.traceID)))) keptBatches.add(batch.traceID);
        return kept.size + keptControls.size + keptBatches.size >= keptCount ? true : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 1000, what: `${keptCount} kept traces in Jaeger` },
    );
  });

  it('answers every request', () => {
    expect(rest.map((s) => s.status).every((s) => s === 200)).toBe(true);
    expect(fallbacks.map((s) => s.status).every((s) => s === 200)).toBe(true);
  });

  it('keeps every fallback trace, whole, from one gateway', async () => {
    for (const sent of fallbacks) {
      // Once the circuit opens the model is not called: the gateway and the rules are the minimum.
      const trace = await settledTrace(sent, FALLBACK_SERVICES);
      expect(trace, `fallback trace ${sent.traceId} kept`).toBeDefined();
      expect(incompleteness(trace!, sent, FALLBACK_SERVICES), sent.traceId).toBeUndefined();
      expect(gatewaysOf(trace!).size, `trace ${sent.traceId} went through one gateway`).toBe(1);
    }
  });

  it('keeps a share of the rest near the configured rate, each kept trace whole and from one gateway', async () => {
    const keptRest = rest.filter((s) => kept.has(s.traceId));
    const share = configuredShare();
    // Binomial spread of the share over REST traces; three standard deviations either side.
    const spread = 3 * Math.sqrt((share * (1 - share)) / REST);
    expect(keptRest.length / REST).toBeGreaterThan(share - spread);
    expect(keptRest.length / REST).toBeLessThan(share + spread);
    const gateways = new Set<unknown>();
    for (const sent of keptRest) {
      const trace = (await settledTrace(sent, MODEL_SERVICES))!;
      expect(incompleteness(trace, sent, MODEL_SERVICES), sent.traceId).toBeUndefined();
      expect(gatewaysOf(trace).size, `trace ${sent.traceId} went through one gateway`).toBe(1);
      for (const gateway of gatewaysOf(trace)) gateways.add(gateway);
    }
    // Both gateways took part: the ring spread the trace ids.
    expect(gateways.size).toBe(2);
  });

  it("shows each gateway's decisions in Prometheus, pushed as job collector-gateway", async () => {
    const query = 'sum by (instance) (otelcol_processor_tail_sampling_global_count_traces_sampled_total{job="collector-gateway"})';
    const byGateway = await eventually(
      async () => {
        const samples = await promQuery(query);
        return samples.length === GATEWAY_COLLECTORS.length ? samples : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 1000, what: `${query} for every gateway` },
    );
    expect(byGateway.map((s) => s.metric.instance).sort()).toEqual([...GATEWAY_COLLECTORS].sort());
    for (const sample of byGateway) expect(Number(sample.value[1])).toBeGreaterThan(0);
  });

  it('counts every request in the span metrics, kept or not', async () => {
    await eventually(async () => ((await requestsServed()) - servedBefore === REST + FALLBACKS ? true : undefined), {
      timeoutMs: 60_000,
      intervalMs: 1000,
      what: `span metrics to count ${REST + FALLBACKS} more gateway requests`,
    }).catch(() => undefined);
    expect((await requestsServed()) - servedBefore).toBe(REST + FALLBACKS);
  });
});
