// A seedable random source, so a lesson or a test can replay exactly the same latencies,
// errors and values. mulberry32: a tiny, well-known 32-bit generator, good enough for simulation.
export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
}

export function createRandom(seed: number = Math.floor(Math.random() * 2 ** 32)): Random {
  let state = seed >>> 0;
  return {
    next() {
      state = (state + 0x6d2b79f5) >>> 0;
      let t = state;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    },
  };
}

/** Standard normal by Box-Muller. */
export function standardNormal(random: Random): number {
  const u = 1 - random.next(); // (0, 1]: log(0) is undefined
  const v = random.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** z-score of the 99th percentile of the standard normal. */
const Z99 = 2.326347874;

/**
 * Log-normal described the way people talk about latency: by its median and its p99.
 * median = e^mu, p99 = e^(mu + Z99·sigma).
 */
export function logNormalFromMedianP99(random: Random, median: number, p99: number): number {
  const mu = Math.log(median);
  const sigma = Math.max(0, (Math.log(p99) - mu) / Z99);
  return Math.exp(mu + sigma * standardNormal(random));
}

export function normal(random: Random, mean: number, stddev: number): number {
  return mean + stddev * standardNormal(random);
}
