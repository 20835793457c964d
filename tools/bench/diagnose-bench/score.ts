// Scoring a diagnosis against the key: AC@k on (kind, service), false alarms on healthy controls,
// both causes of a pair within the first three. Pure; the table is plain text.
import type { Diagnosis } from '../../../analysis/diagnosis/types';
import type { Cause, TrialPlan } from './trials';

export interface TrialScore {
  id: string;
  type: TrialPlan['type'];
  /** `scenario/level` of a single, `a+b` of a pair, `control`. */
  label: string;
  expected: Cause[];
  /** 1-based rank of each expected cause among the reported hypotheses; null when absent. */
  ranks: (number | null)[];
  /** Reported hypotheses (kind service confidence), best first. */
  reported: string[];
  /** Milliseconds from asking to the answer (loading included); NaN offline. */
  elapsedMs: number;
}

const matches = (cause: Cause) => (h: { kind: string; service: string }) => h.kind === cause.kind && h.service === cause.service;

export function scoreTrial(plan: TrialPlan, diagnosis: Diagnosis, elapsedMs: number): TrialScore {
  const ranks = plan.expected.map((cause) => {
    const index = diagnosis.hypotheses.findIndex(matches(cause));
    return index < 0 ? null : index + 1;
  });
  return {
    id: plan.id,
    type: plan.type,
    label:
      plan.type === 'control'
        ? 'control'
        : plan.faults.map((f) => (plan.type === 'pair' ? f.scenario : `${f.scenario}/${f.level}`)).join('+'),
    expected: plan.expected,
    ranks,
    reported: diagnosis.hypotheses.map((h) => `${h.kind} ${h.service} ${h.confidence.toFixed(2)}`),
    elapsedMs,
  };
}

/** Right at AC@k: a single's cause within the first k; a healthy scenario (no key) reports nothing. */
export function correctAt(score: TrialScore, k: number): boolean {
  if (score.expected.length === 0) return score.reported.length === 0;
  return score.ranks.every((rank) => rank !== null && rank <= k);
}

export interface Row {
  label: string;
  trials: number;
  ac1: number;
  ac3: number;
  medianMs: number;
  misses: string[];
  pair: boolean;
}

function medianOf(values: number[]): number {
  const finite = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (!finite.length) return Number.NaN;
  const mid = Math.floor(finite.length / 2);
  return finite.length % 2 ? finite[mid]! : (finite[mid - 1]! + finite[mid]!) / 2;
}

/** One row per scenario and level (singles), per pair, and one for the controls. */
export function rows(scores: TrialScore[]): Row[] {
  const groups = new Map<string, TrialScore[]>();
  for (const score of scores) groups.set(score.label, [...(groups.get(score.label) ?? []), score]);
  return [...groups].map(([label, group]) => ({
    label,
    trials: group.length,
    ac1: group.filter((s) => correctAt(s, 1)).length,
    ac3: group.filter((s) => correctAt(s, 3)).length,
    medianMs: medianOf(group.map((s) => s.elapsedMs)),
    // Two causes cannot both be first: a pair is judged at AC@3 only.
    misses: group
      .filter((s) => !correctAt(s, s.type === 'pair' ? 3 : 1))
      .map((s) => `${s.id}: ${s.reported.slice(0, 3).join(', ') || 'healthy'}`),
    pair: group[0]?.type === 'pair',
  }));
}

export interface Totals {
  singles: { trials: number; ac1: number; ac3: number };
  /** Severe levels (and one-level scenarios): scenarios right at AC@1 in at least two of three trials. */
  severe: { scenarios: number; twoOfThree: number; ac3All: boolean };
  controls: { trials: number; falseAlarms: number };
  pairs: { trials: number; bothWithin3: number };
  medianMs: number;
  maxMs: number;
}

export function totals(scores: TrialScore[], severeLevel: (scenario: string, level: string) => boolean): Totals {
  const singles = scores.filter((s) => s.type === 'single' && s.expected.length > 0);
  const severe = new Map<string, TrialScore[]>();
  for (const s of singles) {
    const [scenario, level] = s.label.split('/') as [string, string];
    if (severeLevel(scenario, level)) severe.set(s.label, [...(severe.get(s.label) ?? []), s]);
  }
  const controls = scores.filter((s) => s.type === 'control' || (s.type === 'single' && s.expected.length === 0));
  const pairs = scores.filter((s) => s.type === 'pair');
  const elapsed = scores.map((s) => s.elapsedMs).filter(Number.isFinite);
  return {
    singles: {
      trials: singles.length,
      ac1: singles.filter((s) => correctAt(s, 1)).length,
      ac3: singles.filter((s) => correctAt(s, 3)).length,
    },
    severe: {
      scenarios: severe.size,
      twoOfThree: [...severe.values()].filter((g) => g.filter((s) => correctAt(s, 1)).length >= Math.min(2, g.length)).length,
      ac3All: [...severe.values()].every((g) => g.every((s) => correctAt(s, 3))),
    },
    controls: { trials: controls.length, falseAlarms: controls.filter((s) => s.reported.length > 0).length },
    pairs: { trials: pairs.length, bothWithin3: pairs.filter((s) => correctAt(s, 3)).length },
    medianMs: medianOf(elapsed),
    maxMs: elapsed.length ? Math.max(...elapsed) : Number.NaN,
  };
}

const pct = (n: number, of: number) => (of ? `${Math.round((100 * n) / of)} %` : '–');
const seconds = (ms: number) => (Number.isFinite(ms) ? `${(ms / 1000).toFixed(1)} s` : '–');

export function renderTable(scores: TrialScore[], t: Totals): string {
  const table = rows(scores);
  const width = Math.max(28, ...table.map((r) => r.label.length));
  const lines = [`${'scenario/level'.padEnd(width)}  trials  AC@1  AC@3  median time`];
  for (const r of table) {
    lines.push(
      `${r.label.padEnd(width)}  ${String(r.trials).padStart(6)}  ${`${r.ac1}/${r.trials}`.padStart(4)}  ${`${r.ac3}/${r.trials}`.padStart(4)}  ${seconds(r.medianMs).padStart(11)}`,
    );
    for (const miss of r.misses) lines.push(`    missed ${miss}`);
  }
  lines.push(
    '',
    `single faults: AC@1 ${t.singles.ac1}/${t.singles.trials} (${pct(t.singles.ac1, t.singles.trials)}), AC@3 ${t.singles.ac3}/${t.singles.trials} (${pct(t.singles.ac3, t.singles.trials)})`,
    `severe levels: ${t.severe.twoOfThree}/${t.severe.scenarios} scenarios right at AC@1 in at least two of three trials; AC@3 ${t.severe.ac3All ? 'all' : 'not all'} right`,
    `healthy controls: ${t.controls.falseAlarms} of ${t.controls.trials} with a reported hypothesis`,
    `pairs: both causes within AC@3 in ${t.pairs.bothWithin3} of ${t.pairs.trials} (${pct(t.pairs.bothWithin3, t.pairs.trials)})`,
    `time to diagnose: median ${seconds(t.medianMs)}, slowest ${seconds(t.maxMs)}`,
  );
  return lines.join('\n');
}

export interface Goal {
  goal: string;
  met: boolean;
}

/** The issue's goals, each met or not. */
export function goals(t: Totals): Goal[] {
  return [
    { goal: 'AC@1 >= 95 % over all single-scenario trials', met: t.singles.trials > 0 && t.singles.ac1 / t.singles.trials >= 0.95 },
    {
      goal: 'severe level: every scenario right at AC@1 in 2 of 3 trials, AC@3 = 100 %',
      met: t.severe.scenarios > 0 && t.severe.twoOfThree === t.severe.scenarios && t.severe.ac3All,
    },
    { goal: 'no reported hypothesis on any healthy control', met: t.controls.falseAlarms === 0 },
    { goal: 'pairs: both causes within AC@3 in >= 80 %', met: t.pairs.trials > 0 && t.pairs.bothWithin3 / t.pairs.trials >= 0.8 },
    { goal: 'a window diagnosed in <= 5 s', met: Number.isFinite(t.maxMs) ? t.maxMs <= 5000 : true },
  ];
}
