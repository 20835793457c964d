// Steady traffic through the gateway for e2e tests that read rates: rate() needs a counter to
// grow across at least two scrapes, which a short burst between two scrapes does not give.
import { predict } from './support';

/** Sends predictions one after another until the returned stop() is awaited, or `maxMs` passes. */
export function steadyTraffic(maxMs: number): () => Promise<void> {
  let running = true;
  const done = (async () => {
    const end = Date.now() + maxMs;
    while (running && Date.now() < end) await predict();
  })();
  return async () => {
    running = false;
    await done;
  };
}
