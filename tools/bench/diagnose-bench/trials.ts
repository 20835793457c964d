// The accuracy benchmark's plan: every scenario with a diagnosis key at each of its levels, a
// few seeds each, healthy controls, and pairs of faults on different services at once. Pure:
// the offline scorer and the unit tests read the same plan.
import type { HypothesisKind } from '../../../analysis/diagnosis/types';
import { SCENARIOS } from '../../../lab/scenarios';

export interface Cause {
  kind: HypothesisKind;
  service: string;
}

export interface TrialPlan {
  /** Stable id, also the recorded case's file name: `slow-model.mild.1`, `control.3`, `pair.2`. */
  id: string;
  type: 'single' | 'control' | 'pair';
  /** What is turned on (none for a control). */
  faults: { scenario: string; level: string }[];
  /** Seed of the trial's traffic. */
  seed: number;
  /** What a right diagnosis names: one cause for a single fault, two for a pair, none for a control. */
  expected: Cause[];
}

/** Pairs of severe faults whose knobs lie on different services, so both take effect at once. */
export const PAIRS: readonly [string, string][] = [
  ['pool-exhaustion', 'memory-leak'],
  ['n-plus-one', 'cpu-bound'],
  ['n-plus-one', 'bad-deploy'],
  ['broken-propagation', 'memory-leak'],
  ['pool-exhaustion', 'bad-deploy'],
  ['n-plus-one', 'lock-contention'],
];

export interface PlanOptions {
  trials: number;
  controls: number;
  /** Only these scenarios (singles and pairs that include one); all when empty. */
  only?: string[];
}

function causeOf(name: string): Cause[] {
  const scenario = SCENARIOS.find((s) => s.name === name);
  if (!scenario) throw new Error(`unknown scenario "${name}"`);
  return scenario.cause ? [scenario.cause] : [];
}

/** The trials in the order they run: singles, controls spread among them, then pairs. */
export function planTrials({ trials, controls, only = [] }: PlanOptions): TrialPlan[] {
  const wanted = (name: string) => only.length === 0 || only.includes(name);
  const singles: TrialPlan[] = [];
  for (const scenario of SCENARIOS.filter((s) => wanted(s.name))) {
    for (const level of Object.keys(scenario.levels)) {
      for (let trial = 1; trial <= trials; trial++) {
        singles.push({
          id: `${scenario.name}.${level}.${trial}`,
          type: 'single',
          faults: [{ scenario: scenario.name, level }],
          seed: trial,
          expected: causeOf(scenario.name),
        });
      }
    }
  }
  const controlTrials: TrialPlan[] = Array.from({ length: only.length ? 0 : controls }, (_, i) => ({
    id: `control.${i + 1}`,
    type: 'control',
    faults: [],
    seed: 100 + i,
    expected: [],
  }));
  const pairs: TrialPlan[] = PAIRS.filter(([a, b]) => wanted(a) || wanted(b)).map(([a, b], i) => ({
    id: `pair.${i + 1}`,
    type: 'pair',
    faults: [a, b].map((scenario) => ({ scenario, level: SCENARIOS.find((s) => s.name === scenario)!.defaultLevel })),
    seed: 200 + i,
    expected: [...causeOf(a), ...causeOf(b)],
  }));
  // A control after every few singles: it checks that a reset stack reads healthy again.
  const every = Math.max(1, Math.ceil(singles.length / Math.max(1, controlTrials.length)));
  const plan: TrialPlan[] = [];
  singles.forEach((single, i) => {
    plan.push(single);
    if ((i + 1) % every === 0 && controlTrials.length) plan.push(controlTrials.shift()!);
  });
  return [...plan, ...controlTrials, ...pairs];
}
