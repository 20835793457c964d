// One gateway collector killed under load (SIGKILL, as a crash). The agent's ring drops it (the
// runner plays the DNS resolver natively: tools/runner/), so the traces go to the other gateway;
// no request fails, no kept trace is split between gateways, and the ring takes it back after.
import { afterAll, describe, expect, it } from 'vitest';
import { eventually, HEALTHY_MODEL, jaegerTrace, setModelBehaviour, stackControl } from '../e2e/support';
import {
  collectorMetric,
  GATEWAY_COLLECTORS,
  gatewaysOf,
  incompleteness,
  predictInTrace,
  type Sent,
  seededRandom,
  settledTrace,
  untilNothingHeld,
} from './support';

const FALLBACK_SERVICES = ['gateway', 'fallback-rules'];
const [FIRST, SECOND] = GATEWAY_COLLECTORS as [string, string];

/** The gateways in the agent's ring, as its load_balancing exporter reports them. */
const untilRingHas = (count: number) =>
  eventually(async () => ((await collectorMetric('collector', 'otelcol_loadbalancer_num_backends')) === count ? true : undefined), {
    timeoutMs: 30_000,
    intervalMs: 200,
    what: `the agent's ring to hold ${count} gateway collector(s)`,
  });

type Phase = 'before' | 'during' | 'after';

describe('a gateway collector killed under load', () => {
  afterAll(async () => {
    await setModelBehaviour(HEALTHY_MODEL);
  });

  it('routes the traces to the other gateway, answers every request, and splits no kept trace', async () => {
    await setModelBehaviour(HEALTHY_MODEL);
    await untilRingHas(2);
    await untilNothingHeld();
    const random = seededRandom(41);
    const sent: (Sent & { phase: Phase })[] = [];
    let phase: Phase = 'before';
    const count = (p: Phase) => sent.filter((s) => s.phase === p).length;
    const deadline = Date.now() + 120_000;
    // Four clients send one request after another until the `after` phase has 100 requests.
    const clients = Array.from({ length: 4 }, async () => {
      while (count('after') < 100 && Date.now() < deadline) {
        const started: Phase = phase;
        sent.push({ ...(await predictInTrace(random)), phase: started });
      }
    });
    const controller = (async () => {
      await eventually(() => (count('before') >= 100 ? true : undefined), { timeoutMs: 60_000, what: '100 requests before the kill' });
      phase = 'during';
      await stackControl('kill', FIRST);
      await untilRingHas(1);
      // From here every trace is a fallback, which the gateways must keep: a trace still routed
      // to the dead gateway would be missing from Jaeger.
      await setModelBehaviour({ error_rate: 1 });
      phase = 'after';
    })();
    await Promise.all([controller, ...clients]);

    expect(sent.filter((s) => s.status !== 200)).toEqual([]);
    expect(count('after')).toBeGreaterThanOrEqual(100);

    for (const trace of sent.filter((s) => s.phase === 'after')) {
      const kept = await settledTrace(trace, FALLBACK_SERVICES, 60_000);
      expect(kept, `trace ${trace.traceId} kept`).toBeDefined();
      expect(incompleteness(kept!, trace, FALLBACK_SERVICES), trace.traceId).toBeUndefined();
      expect([...gatewaysOf(kept!)]).toEqual([SECOND]);
    }
    // Traces in flight at the kill: whatever was kept of them came through one gateway.
    for (const trace of sent.filter((s) => s.phase !== 'after')) {
      const kept = await jaegerTrace(trace.traceId);
      if (kept) expect(gatewaysOf(kept).size, `trace ${trace.traceId} went through one gateway`).toBe(1);
    }
  });

  it('takes the gateway back into the ring once it is up again', async () => {
    await stackControl('restart', FIRST);
    await untilRingHas(2);
    await setModelBehaviour({ error_rate: 1 });
    const random = seededRandom(42);
    const sent: Sent[] = [];
    for (let i = 0; i < 40; i++) sent.push(await predictInTrace(random));
    const gateways = new Set<unknown>();
    for (const trace of sent) {
      const kept = await settledTrace(trace, FALLBACK_SERVICES, 60_000);
      expect(kept, `trace ${trace.traceId} kept`).toBeDefined();
      for (const gateway of gatewaysOf(kept!)) gateways.add(gateway);
    }
    expect(gateways).toEqual(new Set(GATEWAY_COLLECTORS));
  });
});
