// The few statistics the diagnosis needs to tell a shift from noise on samples of tens to hundreds:
// quantiles, a rank test for "larger in the window", and a Poisson tail for "more often than usual".

/** Quantile by linear interpolation of a sorted copy; NaN for no values. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const above = Math.min(below + 1, sorted.length - 1);
  return sorted[below]! + (sorted[above]! - sorted[below]!) * (position - below);
}

export const mean = (values: readonly number[]): number =>
  values.length === 0 ? 0 : values.reduce((sum, value) => sum + value, 0) / values.length;

export const clamp01 = (value: number): number => Math.min(1, Math.max(0, value));

/**
 * Mann–Whitney U test, as a z score: how much larger `window` runs than `baseline` (positive) with
 * ties counted half; normal approximation, fine from about 5 values a side.
 */
export function rankShiftZ(window: readonly number[], baseline: readonly number[]): number {
  const n1 = window.length;
  const n2 = baseline.length;
  if (n1 === 0 || n2 === 0) return 0;
  const all = [...window.map((value) => ({ value, window: true })), ...baseline.map((value) => ({ value, window: false }))].sort(
    (a, b) => a.value - b.value,
  );
  let rankSum = 0;
  let tieCorrection = 0;
  for (let i = 0; i < all.length; ) {
    let j = i;
    while (j + 1 < all.length && all[j + 1]!.value === all[i]!.value) j++;
    const rank = (i + j) / 2 + 1;
    const ties = j - i + 1;
    tieCorrection += ties ** 3 - ties;
    for (let k = i; k <= j; k++) if (all[k]!.window) rankSum += rank;
    i = j + 1;
  }
  const u = rankSum - (n1 * (n1 + 1)) / 2;
  const n = n1 + n2;
  const variance = ((n1 * n2) / 12) * (n + 1 - tieCorrection / (n * (n - 1)));
  return variance > 0 ? (u - (n1 * n2) / 2) / Math.sqrt(variance) : 0;
}

/** P(X ≥ k) for X ~ Poisson(expected). */
export function poissonTail(k: number, expected: number): number {
  if (k <= 0) return 1;
  if (expected <= 0) return 0;
  let term = Math.exp(-expected);
  let below = term;
  for (let i = 1; i < k; i++) {
    term *= expected / i;
    below += term;
  }
  return Math.max(0, 1 - below);
}
