// Mystery mode as text for the command line: the score of a guess, the answer, what the
// diagnosis found (lab/mystery.ts holds the game itself).
import type { Diagnosis } from '../analysis/diagnosis/types';
import type { Explanation, GuessOutcome, Match } from './mystery';

const MATCH_TEXT: Record<Match, string> = {
  exact: 'right kind and service',
  kind: 'right kind, wrong service',
  service: 'right service, wrong kind',
  none: 'missed',
};

export function formatAnswer(answer: Explanation[]): string {
  if (!answer.length) return 'It was healthy: no scenario was on; what you saw is the system’s usual behaviour.';
  return answer
    .map(
      (a) =>
        `It was ${a.scenario} (${a.level}: ${a.description}): ${a.summary}.\n` +
        `  key: ${a.cause.kind} on ${a.cause.service}; lesson: ${a.lesson} (console: /docs/${a.scenario})`,
    )
    .join('\n');
}

export function formatDiagnosis(diagnosis: Diagnosis | null, unavailable: string | null): string {
  if (!diagnosis) return `diagnosis: not available (${unavailable ?? 'a backend did not answer'})`;
  if (!diagnosis.hypotheses.length) return `diagnosis over the mystery's window: ${diagnosis.status}, no hypothesis reported`;
  return [
    `diagnosis over the mystery's window (${diagnosis.status}):`,
    ...diagnosis.hypotheses
      .slice(0, 3)
      .map(
        (h) =>
          `  ${h.rank}. ${h.kind} on ${h.service}${h.operation ? ` (${h.operation})` : ''}, confidence ${h.confidence.toFixed(2)}: ${h.summary}`,
      ),
  ].join('\n');
}

export function formatGuess(outcome: GuessOutcome): string {
  const { result } = outcome;
  const lines = [`your guess: ${result.guess} → ${result.points} point(s)`];
  for (const m of result.matches) lines.push(`  ${m.cause.kind} on ${m.cause.service}: ${MATCH_TEXT[m.match]}`);
  lines.push(formatAnswer(outcome.answer), formatDiagnosis(outcome.diagnosis, outcome.unavailable));
  lines.push('The scenarios stay on so you can look again; npm run lab -- reveal ends the mystery.');
  return lines.join('\n');
}
