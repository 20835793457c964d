// What /lab can do, behind one small interface: list the fault scenarios, turn one on or off,
// reset, read the status, and run the `random` exercise check. All of it is the fault lab's own
// library (lab/), the same code as `npm run lab`; this file only holds the control token and
// turns the lab's errors into HTTP answers.
import {
  type LabContext,
  LabError as LabLibraryError,
  checkRandom as labCheckRandom,
  labStatus,
  RANDOM_EXERCISE_REQUESTS,
  RANDOM_TOLERANCE,
  resetLab,
  SCENARIOS,
  scenarioOff,
  scenarioOn,
} from '../../lab/index';
import { mysteryDir, mysteryStatus } from '../../lab/mystery';
import type { ConsoleConfig } from './config';

export interface LabScenario {
  name: string;
  summary: string;
  services: string[];
  /** Lesson page, relative to the repository (docs/lessons/…). */
  lesson: string;
}

export interface LabStatus {
  active: string[];
  knobs: Record<string, unknown>;
  /** True while a mystery is on: what is on stays hidden. */
  hidden?: boolean;
}

export interface RandomCheck {
  ok: boolean;
  /** /random requests the check sent (the exercise's documented traffic). */
  requests: number;
  estimates: { name: string; truth: number; estimate: number | null; errorPercent: number | null; ok: boolean }[];
  message: string;
}

export interface Lab {
  scenarios: LabScenario[];
  status(): Promise<LabStatus>;
  turnOn(name: string): Promise<LabStatus>;
  turnOff(name: string): Promise<LabStatus>;
  reset(): Promise<LabStatus>;
  checkRandom(): Promise<RandomCheck>;
  /** Requests one random check sends. */
  randomRequests: number;
}

/** A lab action that failed for a reason the learner can fix (4xx/5xx with this code). */
export class LabError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The scenarios the lab runs on its own knobs; `random` is the check below, not a toggle. */
const TOGGLES = SCENARIOS.filter((s) => s.name !== 'random');

/** The lab library's context: the services' URLs and the token this server holds. */
export function labContext(config: ConsoleConfig): LabContext {
  if (!config.controlToken) {
    throw new LabError(
      503,
      'control_token_missing',
      'the console has no control token: start everything with `npm start` (it writes .tracelab/control-token) or set CONTROL_TOKEN',
    );
  }
  return {
    controlToken: config.controlToken,
    urls: { ...(config.services as LabContext['urls']), prometheus: config.backends.prometheus },
  };
}

export function scenarioLab(config: ConsoleConfig): Lab {
  const context = () => labContext(config);
  /** The lab's errors are one-line explanations: a service that does not answer or refuses. */
  const run = async <T>(action: () => Promise<T>): Promise<T> => {
    try {
      return await action();
    } catch (error) {
      if (error instanceof LabError) throw error;
      const message = error instanceof LabLibraryError ? error.message : `the lab action failed: ${String(error)}`;
      throw new LabError(502, 'lab_failed', message);
    }
  };
  const known = (name: string) => {
    if (!TOGGLES.some((s) => s.name === name))
      throw new LabError(404, 'unknown_scenario', `no scenario "${name}"; known: ${TOGGLES.map((s) => s.name).join(', ')}`);
    return name;
  };
  const status = async (): Promise<LabStatus> => {
    // During a mystery what is on is the answer: hidden until the guess or the reveal.
    if (mysteryStatus(mysteryDir()).active) return { active: [], knobs: {}, hidden: true };
    const current = await run(() => labStatus(context()));
    return {
      active: [...new Set(current.active.map((a) => a.scenario))],
      knobs: Object.fromEntries(
        Object.entries(current.changed).flatMap(([service, knobs]) =>
          Object.entries(knobs).map(([knob, { value }]) => [`${service}.${knob}`, value] as const),
        ),
      ),
    };
  };
  return {
    randomRequests: RANDOM_EXERCISE_REQUESTS,
    scenarios: TOGGLES.map(({ name, summary, services, lesson }) => ({ name, summary, services: [...services], lesson })),
    status,
    turnOn: async (name) => {
      await run(() => scenarioOn(known(name), undefined, context()));
      return status();
    },
    turnOff: async (name) => {
      await run(() => scenarioOff(known(name), context()));
      return status();
    },
    reset: async () => {
      await run(() => resetLab(context()));
      return status();
    },
    async checkRandom() {
      const check = await run(() => labCheckRandom(context()));
      return {
        ok: check.ok,
        requests: check.requests,
        message: check.text.split('\n').at(-1) ?? '',
        estimates: check.estimates.map((e) => ({
          name: `${e.variable} ${e.quantity}`,
          truth: e.truth,
          estimate: e.estimate,
          errorPercent: e.error * 100,
          ok: e.error <= RANDOM_TOLERANCE,
        })),
      };
    },
  };
}
