// Steady, seeded prediction traffic for the benchmark: N loops, each sending the next request as
// soon as the last one is answered, so a slower system gets fewer requests, as a real client pool.
// Unlike `lab traffic` (lab/traffic.ts, whose request bodies it shares) it runs until stopped.
import { predictionBody } from '../../../lab/traffic';
import { createRandom } from '../../../services/model-inference/src/rng';

export interface TrafficOptions {
  gatewayUrl: string;
  concurrency: number;
  seed: number;
}

export function startTraffic({ gatewayUrl, concurrency, seed }: TrafficOptions) {
  const random = createRandom(seed);
  let running = true;
  let sent = 0;
  let lastSource = '';
  const send = async () => {
    try {
      const response = await fetch(`${gatewayUrl}/v1/predict`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(predictionBody(random)),
        signal: AbortSignal.timeout(5000),
      });
      const body = (await response.json().catch(() => ({}))) as { source?: string };
      lastSource = body.source ?? `HTTP ${response.status}`;
    } catch (error) {
      lastSource = (error as Error).name;
    }
    sent++;
  };
  const loops = Array.from({ length: concurrency }, async () => {
    while (running) await send();
  });
  return {
    sent: () => sent,
    /** Resolves once an answer comes from the model again (a breaker opened by the last fault has closed). */
    async modelAnswers(timeoutMs = 30_000): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      const seen = sent;
      while (Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        if (sent > seen && lastSource === 'model') return;
      }
      throw new Error(`the model did not answer again within ${timeoutMs / 1000} s of a reset`);
    },
    async stop(): Promise<void> {
      running = false;
      await Promise.all(loops);
    },
  };
}
