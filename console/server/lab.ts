// What /lab can do, behind one small interface: list the fault scenarios, turn one on or off,
// reset, read the status, and run the `random` exercise check. The scenarios here drive the
// model-inference knobs (PUT /v1/control) under the fault lab's scenario names; the `random`
// check is the fault lab's own (lab/random.ts). When lab/scenarios.ts defines the scenarios,
// its actions (lab/actions.ts) take their place behind this same interface.
import { checkRandom as labCheckRandom, RANDOM_EXERCISE_REQUESTS, RANDOM_TOLERANCE } from '../../lab/random';
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

type Knobs = Record<string, number>;

/** model-inference's defaults (services/model-inference/src/config.ts). */
const HEALTHY: Knobs = { latency_median_ms: 40, latency_p99_ms: 180, error_rate: 0 };

const KNOB_SCENARIOS: (LabScenario & { knobs: Knobs })[] = [
  {
    name: 'slow-model',
    summary: 'inference median 600 ms: the gateway’s 250 ms budget cuts it and falls back (reason timeout), then the circuit opens',
    services: ['gateway', 'model-inference'],
    lesson: 'docs/lessons/README.md',
    knobs: { latency_median_ms: 600, latency_p99_ms: 1200 },
  },
  {
    name: 'tail-latency',
    summary: 'only the p99 grows (1.5 s): averages hide it, p99 panels and exemplars show it',
    services: ['model-inference'],
    lesson: 'docs/lessons/README.md',
    knobs: { latency_median_ms: 40, latency_p99_ms: 1500 },
  },
  {
    name: 'model-errors',
    summary: 'every inference fails: fallback reason error, the fallback alert fires',
    services: ['gateway', 'model-inference'],
    lesson: 'docs/lessons/README.md',
    knobs: { error_rate: 1 },
  },
];

export function knobLab(config: ConsoleConfig, fetchImpl: typeof fetch = fetch): Lab {
  const controlUrl = `${config.backends.modelInference}/v1/control`;
  const control = async (method: 'GET' | 'PUT', body?: Knobs): Promise<Record<string, number>> => {
    if (!config.controlToken) {
      throw new LabError(
        503,
        'control_token_missing',
        'the console has no control token: start everything with `npm start` (it writes .tracelab/control-token) or set CONTROL_TOKEN',
      );
    }
    let response: Response;
    try {
      response = await fetchImpl(controlUrl, {
        method,
        headers: { authorization: `Bearer ${config.controlToken}`, 'content-type': 'application/json' },
        body: body ? JSON.stringify(body) : undefined,
        signal: AbortSignal.timeout(5000),
      });
    } catch {
      throw new LabError(
        502,
        'backend_unavailable',
        `model-inference at ${config.backends.modelInference} is not answering: start the stack with \`npm start\``,
      );
    }
    const answer = (await response.json().catch(() => ({}))) as Record<string, number> & { error?: { message?: string } };
    if (!response.ok)
      throw new LabError(502, 'control_refused', `model-inference refused the change: ${answer.error?.message ?? response.status}`);
    return answer;
  };
  const statusFrom = (knobs: Record<string, number>): LabStatus => ({
    active: KNOB_SCENARIOS.filter((s) => Object.entries(s.knobs).every(([k, v]) => knobs[k] === v)).map((s) => s.name),
    knobs,
  });
  const find = (name: string) => {
    const scenario = KNOB_SCENARIOS.find((s) => s.name === name);
    if (!scenario)
      throw new LabError(404, 'unknown_scenario', `no scenario "${name}"; known: ${KNOB_SCENARIOS.map((s) => s.name).join(', ')}`);
    return scenario;
  };
  return {
    randomRequests: RANDOM_EXERCISE_REQUESTS,
    scenarios: KNOB_SCENARIOS.map(({ knobs: _knobs, ...scenario }) => scenario),
    status: async () => statusFrom(await control('GET')),
    turnOn: async (name) => statusFrom(await control('PUT', find(name).knobs)),
    turnOff: async (name) => {
      const scenario = find(name);
      return statusFrom(await control('PUT', Object.fromEntries(Object.keys(scenario.knobs).map((k) => [k, HEALTHY[k]!]))));
    },
    reset: async () => statusFrom(await control('PUT', HEALTHY)),
    async checkRandom() {
      if (!config.controlToken) await control('GET'); // the same "no token" answer as every action
      const urls = {
        gateway: config.backends.gateway,
        'model-inference': config.backends.modelInference,
        'fallback-rules': config.backends.fallbackRules,
        prometheus: config.backends.prometheus,
      };
      let check: Awaited<ReturnType<typeof labCheckRandom>>;
      try {
        check = await labCheckRandom({ controlToken: config.controlToken!, urls });
      } catch (error) {
        throw new LabError(502, 'check_failed', `the random check failed: ${error instanceof Error ? error.message : String(error)}`);
      }
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
