// What both benchmarks compute and print: medians and percentiles, number formats, a Markdown
// table (pastes into the docs as it is) and the goal check.

/** The median (NaN for no values). */
export function median(values: number[]): number {
  if (!values.length) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The nearest-rank percentile. */
export const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
};

export const fixed = (n: number, digits = 2) => n.toFixed(digits);

/** Thousands grouped (10,000), '–' for a number that is not finite. */
export const group = (n: number, digits = 0) =>
  Number.isFinite(n) ? n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : '–';

/** A Markdown table: first column left-aligned, the rest right. */
export function printMarkdown(table: string[][]): void {
  const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
  const line = (row: string[]) => `| ${row.map((cell, i) => (i ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join(' | ')} |`;
  console.log(line(table[0]!));
  console.log(`| ${widths.map((w, i) => (i ? `${'-'.repeat(w - 1)}:` : '-'.repeat(w))).join(' | ')} |`);
  for (const row of table.slice(1)) console.log(line(row));
}

/** A documented goal (docs/performance.md) and what this run measured. */
export interface Goal {
  goal: string;
  measured: string;
  met: boolean;
}

/** Prints the goals, ✓ or ✗ each; `whenMissed` is added when one is missed. */
export function printGoals(goals: Goal[], whenMissed: string): void {
  if (!goals.length) return;
  console.log('\ngoals:');
  for (const g of goals) console.log(`  ${g.met ? '✓' : '✗'} ${g.goal}: ${g.measured}`);
  if (goals.some((g) => !g.met)) console.log(whenMissed);
}
