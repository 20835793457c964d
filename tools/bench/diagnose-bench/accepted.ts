// The accepted scores of the recorded cases (expected.json beside them): what the unit tests hold
// the diagnosis to. `bench:diagnose -- --offline --accept` writes them after a change that is
// meant to move them; the diff of expected.json then shows which trials got better or worse.
import path from 'node:path';
import type { TrialScore } from './score';

export interface AcceptedScore {
  /** Rank of each expected cause (null: not reported). */
  ranks: (number | null)[];
  /** How many hypotheses were reported (for a healthy trial, the false alarms). */
  reported: number;
}

export interface AcceptedScores {
  trials: Record<string, AcceptedScore>;
}

export const acceptedPath = (casesDir: string) => path.join(casesDir, 'expected.json');

export function acceptedOf(scores: TrialScore[]): AcceptedScores {
  return { trials: Object.fromEntries(scores.map((s) => [s.id, { ranks: s.ranks, reported: s.reported.length }])) };
}

/** What got worse than accepted, in words; empty when nothing did. */
export function noWorseThan(score: TrialScore, accepted: AcceptedScore): string[] {
  const problems: string[] = [];
  score.expected.forEach((cause, i) => {
    const now = score.ranks[i] ?? Number.POSITIVE_INFINITY;
    const before = accepted.ranks[i] ?? Number.POSITIVE_INFINITY;
    if (now > before)
      problems.push(`${cause.kind} ${cause.service}: rank ${score.ranks[i] ?? 'none'}, accepted ${accepted.ranks[i] ?? 'none'}`);
  });
  if (score.expected.length === 0 && score.reported.length > accepted.reported)
    problems.push(`healthy: ${score.reported.length} hypotheses reported, accepted ${accepted.reported}`);
  return problems;
}
