// Mystery mode: the lab turns on a hidden scenario at a hidden level (sometimes none, sometimes
// two at once on different services), drives traffic, and the learner finds the cause in the
// telemetry and guesses it as (kind, service), the diagnosis's vocabulary. The choice is kept in
// <state dir>/mystery.json (never printed before the guess or the reveal), the scores in
// <state dir>/mystery-history.json. The state dir is the stack's (.tracelab/), or
// TRACELAB_LAB_STATE_DIR (the end-to-end tests use their own stack's).
import { randomInt } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { runDiagnosis } from '../analysis/diagnosis';
import { type Diagnosis, HYPOTHESIS_KINDS, type HypothesisKind } from '../analysis/diagnosis/types';
import { BackendUnavailableError } from '../analysis/errors';
import { stateDir } from '../local/paths';
import { createRandom } from '../services/model-inference/src/rng';
import { SERVICE_NAMES } from '../services/registry';
import { resetLab, scenarioOn } from './actions';
import { type LabContext, LabError, LabUsageError } from './context';
import { SCENARIOS, type Scenario } from './scenarios';
import { driveTraffic, type TrafficOptions, type TrafficProgress, type TrafficSummary } from './traffic';

/** A mystery action that does not fit the mystery's state (none on, one already on, already guessed). */
export class MysteryStateError extends LabError {}

/** Share of mysteries with nothing wrong, and of those with two causes at once. */
export const HEALTHY_SHARE = 0.15;
export const PAIR_SHARE = 0.2;
/** The traffic a mystery drives when no other is asked for: enough for rates and a p99 to move. */
export const MYSTERY_TRAFFIC: TrafficOptions = { concurrency: 4, seconds: 30 };
/** The baseline a diagnosis of the mystery compares its window with: the 30 minutes before it. */
const BASELINE_MS = 30 * 60_000;

export interface Cause {
  kind: HypothesisKind;
  service: string;
}

export interface MysteryPick {
  scenario: string;
  level: string;
}

/** What `mystery` chose, as kept in the state file. */
export interface MysteryState {
  seed: number;
  /** When the hidden scenarios went on: the start of the window a diagnosis reads. */
  startedAt: string;
  picks: MysteryPick[];
  guess?: GuessResult;
}

/** The scenarios a mystery draws from: those whose diagnosis key names a cause. */
export const MYSTERY_SCENARIOS: readonly (Scenario & { cause: Cause })[] = SCENARIOS.filter(
  (s): s is Scenario & { cause: Cause } => s.cause !== undefined,
);

const scenarioNamed = (name: string) => MYSTERY_SCENARIOS.find((s) => s.name === name);

/**
 * Two scenarios can be on at once when their causes are on different services and they turn no
 * knob of the same service (neither undoes or masks the other's settings).
 */
export function compatible(a: Scenario & { cause: Cause }, b: Scenario & { cause: Cause }): boolean {
  return a.cause.service !== b.cause.service && !a.services.some((service) => b.services.includes(service));
}

/** The hidden choice for a seed: none, one, or two compatible scenarios, each at one of its levels. */
export function chooseMystery(seed: number): MysteryPick[] {
  const random = createRandom(seed);
  const pickFrom = <T>(items: readonly T[]) => items[Math.floor(random.next() * items.length)]!;
  const withLevel = (s: Scenario): MysteryPick => ({ scenario: s.name, level: pickFrom(Object.keys(s.levels)) });
  const roll = random.next();
  if (roll < HEALTHY_SHARE) return [];
  const first = pickFrom(MYSTERY_SCENARIOS);
  const partners = MYSTERY_SCENARIOS.filter((s) => compatible(first, s));
  if (roll < HEALTHY_SHARE + PAIR_SHARE && partners.length) return [withLevel(first), withLevel(pickFrom(partners))];
  return [withLevel(first)];
}

export const causesOf = (picks: MysteryPick[]): Cause[] => picks.map((p) => scenarioNamed(p.scenario)!.cause);

/** What a learner may name: a kind and a service, a scenario, or `healthy`. */
export const GUESS_VOCABULARY = {
  kinds: HYPOTHESIS_KINDS,
  services: SERVICE_NAMES,
  scenarios: MYSTERY_SCENARIOS.map((s) => s.name),
} as const;

export type Guess = { healthy: true } | { healthy: false; causes: Cause[] };

const GUESS_USAGE =
  'guess <kind> <service> (up to two), a scenario name (up to two), or healthy; ' +
  `kinds: ${HYPOTHESIS_KINDS.join(', ')}; services: ${SERVICE_NAMES.join(', ')}`;

/** `guess` arguments: `healthy`, or up to two causes each as `<kind> <service>` or a scenario name. */
export function parseGuess(words: string[]): Guess {
  if (words.length === 1 && words[0] === 'healthy') return { healthy: true };
  const causes: Cause[] = [];
  for (let i = 0; i < words.length; ) {
    const word = words[i]!;
    const scenario = scenarioNamed(word);
    if (scenario) {
      causes.push(scenario.cause);
      i += 1;
    } else if ((HYPOTHESIS_KINDS as readonly string[]).includes(word)) {
      const service = words[i + 1];
      if (!service || !(SERVICE_NAMES as readonly string[]).includes(service))
        throw new LabUsageError(
          `"${word}" needs a service after it (${SERVICE_NAMES.join(', ')}), got ${service ? `"${service}"` : 'nothing'}`,
        );
      causes.push({ kind: word as HypothesisKind, service });
      i += 2;
    } else {
      throw new LabUsageError(`"${word}" is not a kind, a scenario or healthy; ${GUESS_USAGE}`);
    }
  }
  if (!causes.length) throw new LabUsageError(`nothing to guess; ${GUESS_USAGE}`);
  if (causes.length > 2) throw new LabUsageError(`at most two causes per guess, got ${causes.length}`);
  return { healthy: false, causes };
}

export const describeGuess = (guess: Guess) =>
  guess.healthy ? 'healthy' : guess.causes.map((c) => `${c.kind} on ${c.service}`).join(' and ');

export type Match = 'exact' | 'kind' | 'service' | 'none';
const CREDIT: Record<Match, number> = { exact: 1, kind: 0.5, service: 0.5, none: 0 };

const match = (guessed: Cause, key: Cause): Match =>
  guessed.kind === key.kind && guessed.service === key.service
    ? 'exact'
    : guessed.kind === key.kind
      ? 'kind'
      : guessed.service === key.service
        ? 'service'
        : 'none';

export interface GuessResult {
  guess: string;
  /** In [0, 1]. */
  points: number;
  /** Per cause of the key: how the best-matching guessed cause matched it. */
  matches: { cause: Cause; match: Match }[];
}

/**
 * Scores a guess against the key. Healthy against healthy: 1. Otherwise each key cause earns 1 for
 * a guessed cause with its kind and service, 0.5 for one with only one of the two, each guessed
 * cause used once; the sum is divided by the larger of the key's and the guess's cause counts,
 * so naming one of two causes earns half, and naming two where there is one costs half.
 */
export function scoreGuess(guess: Guess, key: Cause[]): GuessResult {
  const text = describeGuess(guess);
  if (guess.healthy || !key.length) return { guess: text, points: guess.healthy && !key.length ? 1 : 0, matches: [] };
  // Both ways of pairing guessed causes with key causes (at most two each), the better one counts.
  const padded: (Cause | undefined)[] = [...guess.causes];
  while (padded.length < key.length) padded.push(undefined);
  const orders = padded.length === 2 ? [padded, [padded[1], padded[0]]] : [padded];
  let best: { cause: Cause; match: Match }[] = [];
  let bestCredit = -1;
  for (const order of orders) {
    const matches = key.map((cause, i) => ({ cause, match: order[i] ? match(order[i], cause) : ('none' as Match) }));
    const credit = matches.reduce((sum, m) => sum + CREDIT[m.match], 0);
    if (credit > bestCredit) [best, bestCredit] = [matches, credit];
  }
  return { guess: text, points: bestCredit / Math.max(key.length, guess.causes.length), matches: best };
}

// --- state and history files -------------------------------------------------------------

export const mysteryDir = (env: NodeJS.ProcessEnv = process.env) => env.TRACELAB_LAB_STATE_DIR ?? stateDir;
const stateFile = (dir: string) => path.join(dir, 'mystery.json');
const historyFile = (dir: string) => path.join(dir, 'mystery-history.json');

export function readMystery(dir: string): MysteryState | undefined {
  try {
    return JSON.parse(fs.readFileSync(stateFile(dir), 'utf8')) as MysteryState;
  } catch {
    return undefined;
  }
}

function writeMystery(dir: string, state: MysteryState): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(stateFile(dir), `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
}

export interface HistoryEntry {
  startedAt: string;
  endedAt: string;
  seed: number;
  answer: { scenario: string; level: string; kind: string; service: string }[];
  /** The guess as text; null when the mystery was revealed without one. */
  guess: string | null;
  points: number;
}

export function readHistory(dir: string): HistoryEntry[] {
  try {
    const entries = JSON.parse(fs.readFileSync(historyFile(dir), 'utf8')) as unknown;
    return Array.isArray(entries) ? (entries as HistoryEntry[]) : [];
  } catch {
    return [];
  }
}

export function appendHistory(dir: string, entry: HistoryEntry): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(historyFile(dir), `${JSON.stringify([...readHistory(dir), entry], null, 2)}\n`);
}

const answerOf = (picks: MysteryPick[]) =>
  picks.map((p) => {
    const cause = scenarioNamed(p.scenario)!.cause;
    return { scenario: p.scenario, level: p.level, kind: cause.kind, service: cause.service };
  });

export function formatHistory(entries: HistoryEntry[], last = 10): string {
  if (!entries.length) return 'mystery history: none yet (npm run lab -- mystery)';
  const total = entries.reduce((sum, e) => sum + e.points, 0);
  const lines = [`mystery history: ${entries.length} played, ${total} of ${entries.length} points`];
  for (const e of entries.slice(-last)) {
    const answer = e.answer.length ? e.answer.map((a) => `${a.scenario} (${a.level})`).join(' + ') : 'healthy';
    lines.push(
      `  ${e.startedAt.slice(0, 16).replace('T', ' ')}  ${e.guess ?? '(revealed, no guess)'} → ${e.points} point(s); it was ${answer}`,
    );
  }
  return lines.join('\n');
}

// --- what a running mystery does ---------------------------------------------------------

export interface MysteryStatus {
  active: boolean;
  startedAt?: string;
  /** The guess, once made (the answer itself stays hidden until the reveal). */
  guessed?: GuessResult;
}

export function mysteryStatus(dir: string): MysteryStatus {
  const state = readMystery(dir);
  if (!state) return { active: false };
  return { active: true, startedAt: state.startedAt, ...(state.guess ? { guessed: state.guess } : {}) };
}

/** A seed from `--seed` (or a JSON body): a whole number 0 … 2³²−1. */
export function validateSeed(value: unknown): number {
  const parsed = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof parsed !== 'number' || !Number.isInteger(parsed) || parsed < 0 || parsed > 2 ** 32 - 1)
    throw new LabUsageError(`seed must be a whole number from 0 to ${2 ** 32 - 1}, got ${JSON.stringify(value)}`);
  return parsed;
}

/**
 * Starts a mystery: every knob back to its default, the hidden choice on, the state file written,
 * then bounded traffic (whose summary is returned: evidence, not the answer).
 */
export async function startMystery(
  ctx: LabContext,
  options: { seed?: number; traffic: TrafficOptions; dir: string },
  onProgress?: (progress: TrafficProgress) => void,
): Promise<TrafficSummary> {
  if (readMystery(options.dir))
    throw new MysteryStateError('a mystery is already on: guess it (npm run lab -- guess …) or end it (npm run lab -- reveal)');
  const seed = options.seed ?? randomInt(2 ** 32 - 1);
  const picks = chooseMystery(seed);
  await resetLab(ctx);
  try {
    for (const pick of picks) await scenarioOn(pick.scenario, pick.level, ctx);
  } catch (error) {
    await resetLab(ctx).catch(() => undefined);
    throw error;
  }
  writeMystery(options.dir, { seed, startedAt: new Date().toISOString(), picks });
  return driveTraffic(ctx.urls.gateway, { ...options.traffic, seed }, onProgress);
}

/** Where the diagnosis reads from. */
export interface DiagnosisBackends {
  jaegerUrl: string;
  prometheusUrl: string;
  logsUrl: string;
}

/** The mystery's window (from its start to now) and the baseline before it, as runDiagnosis takes them. */
export function mysteryWindows(state: MysteryState, nowMs: number) {
  const startMs = Date.parse(state.startedAt);
  return { window: { fromMs: startMs, toMs: nowMs }, baseline: { fromMs: startMs - BASELINE_MS, toMs: startMs } };
}

/**
 * What the diagnosis found over the mystery's window, from the backends alone (it never sees the
 * hidden choice); when a backend does not answer, which one and why, so the guess is still scored.
 */
export async function diagnoseMystery(
  state: MysteryState,
  backends: DiagnosisBackends,
  nowMs: number,
): Promise<{ diagnosis: Diagnosis; unavailable: null } | { diagnosis: null; unavailable: string }> {
  try {
    return { diagnosis: await runDiagnosis({ ...backends, ...mysteryWindows(state, nowMs) }), unavailable: null };
  } catch (error) {
    if (error instanceof BackendUnavailableError)
      return { diagnosis: null, unavailable: `${error.backend} did not answer at ${error.url}: ${error.reason}` };
    throw error;
  }
}

/** One hidden scenario, explained: what it did, the key, its lesson. */
export interface Explanation {
  scenario: string;
  level: string;
  description: string;
  summary: string;
  cause: Cause;
  lesson: string;
}

const explain = (picks: MysteryPick[]): Explanation[] =>
  picks.map((p) => {
    const s = scenarioNamed(p.scenario)!;
    return {
      scenario: s.name,
      level: p.level,
      description: s.levels[p.level]!.description,
      summary: s.summary,
      cause: s.cause,
      lesson: s.lesson,
    };
  });

export interface GuessOutcome {
  result: GuessResult;
  answer: Explanation[];
  /** null: a backend did not answer, so no diagnosis. */
  diagnosis: Diagnosis | null;
  /** Which backend did not answer and why, when there is no diagnosis. */
  unavailable: string | null;
}

/** Scores the guess, keeps it in the history, and explains the answer (the scenarios stay on until the reveal). */
export async function guessMystery(guess: Guess, options: { dir: string; backends: DiagnosisBackends }): Promise<GuessOutcome> {
  const state = readMystery(options.dir);
  if (!state) throw new MysteryStateError('no mystery is on: start one with npm run lab -- mystery');
  if (state.guess)
    throw new MysteryStateError(
      `this mystery was already guessed (${state.guess.guess}, ${state.guess.points} point(s)): npm run lab -- reveal ends it`,
    );
  const result = scoreGuess(guess, causesOf(state.picks));
  const nowMs = Date.now();
  writeMystery(options.dir, { ...state, guess: result });
  appendHistory(options.dir, {
    startedAt: state.startedAt,
    endedAt: new Date(nowMs).toISOString(),
    seed: state.seed,
    answer: answerOf(state.picks),
    guess: result.guess,
    points: result.points,
  });
  return { result, answer: explain(state.picks), ...(await diagnoseMystery(state, options.backends, nowMs)) };
}

export interface Reveal {
  seed: number;
  answer: Explanation[];
  guessed: GuessResult | null;
}

/** Ends the mystery: every knob back to its default, the answer shown; unguessed, it counts 0 in the history. */
export async function revealMystery(ctx: LabContext, dir: string): Promise<Reveal> {
  const state = readMystery(dir);
  if (!state) throw new MysteryStateError('no mystery is on: start one with npm run lab -- mystery');
  await resetLab(ctx);
  fs.rmSync(stateFile(dir), { force: true });
  if (!state.guess)
    appendHistory(dir, {
      startedAt: state.startedAt,
      endedAt: new Date().toISOString(),
      seed: state.seed,
      answer: answerOf(state.picks),
      guess: null,
      points: 0,
    });
  return { seed: state.seed, answer: explain(state.picks), guessed: state.guess ?? null };
}
