// The fault lab's scenarios: each a named composition of knobs from the knob table
// (services/shared/knob-table.ts), on the service where the fault belongs, at a few levels.
// Each has a lesson (docs/lessons/<name>.md) and an end-to-end test that proves its evidence.
import type { KNOB_TABLE, KnobService } from '../services/shared/knob-table';
import type { KnobValues } from '../services/shared/knobs';

/** Knob values per service; names and value types are checked against the knob table. */
export type KnobSettings = { [S in KnobService]?: Partial<KnobValues<(typeof KNOB_TABLE)[S]>> };

export interface ScenarioLevel {
  /** What this level does, in a few words. */
  description: string;
  knobs: KnobSettings;
}

export interface Scenario {
  name: string;
  /** One line: what goes wrong. */
  summary: string;
  /** The services whose knobs it turns. */
  services: KnobService[];
  /** The lesson page, relative to the repository root. */
  lesson: string;
  /** The end-to-end test that proves the lesson's evidence. */
  test: string;
  defaultLevel: string;
  levels: Record<string, ScenarioLevel>;
}

function scenario(s: Omit<Scenario, 'lesson' | 'services'>): Scenario {
  const services = [...new Set(Object.values(s.levels).flatMap((level) => Object.keys(level.knobs) as KnobService[]))];
  return { ...s, services, lesson: `docs/lessons/${s.name}.md` };
}

/** The seed the random exercise restarts from: its documented traffic lands within 5 % (docs/lessons/random.md). */
export const RANDOM_EXERCISE_SEED = 2026;

export const SCENARIOS: readonly Scenario[] = [
  scenario({
    name: 'random',
    summary: 'the seed exercise: recover two distributions from histograms (npm run lab -- check random)',
    test: 'test/e2e/lab-random.test.ts',
    defaultLevel: 'seeded',
    levels: {
      seeded: {
        description: `/v1/random restarts from seed ${RANDOM_EXERCISE_SEED}`,
        knobs: { 'model-inference': { random_seed: RANDOM_EXERCISE_SEED } },
      },
    },
  }),
];
