// What /lab can do, behind one small interface: list the fault scenarios, turn one on or off,
// reset, read the status, and run the `random` exercise check. This adapter drives the knobs
// that exist today (model-inference's PUT /v1/control); the fault lab's own scenario functions
// plug in here with the same shape.
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
    summary: 'inference median 400 ms: the gateway’s 250 ms budget cuts it and falls back (reason timeout), then the circuit opens',
    services: ['gateway', 'model-inference'],
    lesson: 'docs/lessons/README.md',
    knobs: { latency_median_ms: 400, latency_p99_ms: 900 },
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
  const prometheusValue = async (query: string): Promise<number | null> => {
    const url = `${config.backends.prometheus}/api/v1/query?query=${encodeURIComponent(query)}`;
    const body = (await (await fetchImpl(url, { signal: AbortSignal.timeout(5000) })).json()) as {
      data?: { result?: { value: [number, string] }[] };
    };
    const value = Number(body.data?.result?.[0]?.value[1]);
    return Number.isFinite(value) ? value : null;
  };

  return {
    scenarios: KNOB_SCENARIOS.map(({ knobs: _knobs, ...scenario }) => scenario),
    status: async () => statusFrom(await control('GET')),
    turnOn: async (name) => statusFrom(await control('PUT', find(name).knobs)),
    turnOff: async (name) => {
      const scenario = find(name);
      return statusFrom(await control('PUT', Object.fromEntries(Object.keys(scenario.knobs).map((k) => [k, HEALTHY[k]!]))));
    },
    reset: async () => statusFrom(await control('PUT', HEALTHY)),
    async checkRandom() {
      const knobs = await control('GET');
      const window = '[10m]';
      const quantile = (q: number, metric: string) => `histogram_quantile(${q}, sum by (le) (rate(${metric}_bucket${window})))`;
      let estimates: RandomCheck['estimates'];
      try {
        const value = 'tracelab_random_value';
        const delay = 'tracelab_random_delay';
        const rows: [string, number, string, number][] = [
          ['value mean', knobs.random_value_mean!, `sum(rate(${value}_sum${window})) / sum(rate(${value}_count${window}))`, 1],
          ['value stddev', knobs.random_value_stddev!, `${quantile(0.8413, value)} - ${quantile(0.5, value)}`, 1],
          ['delay median (ms)', knobs.random_delay_median_ms!, quantile(0.5, delay), 1000],
          ['delay p99 (ms)', knobs.random_delay_p99_ms!, quantile(0.99, delay), 1000],
        ];
        estimates = await Promise.all(
          rows.map(async ([name, truth, query, scale]) => {
            const raw = await prometheusValue(query);
            const estimate = raw === null ? null : raw * scale;
            const errorPercent = estimate === null || truth === 0 ? null : (Math.abs(estimate - truth) / Math.abs(truth)) * 100;
            return { name, truth, estimate, errorPercent, ok: errorPercent !== null && errorPercent <= 5 };
          }),
        );
      } catch {
        throw new LabError(
          502,
          'backend_unavailable',
          `Prometheus at ${config.backends.prometheus} is not answering: start the stack with \`npm start\``,
        );
      }
      const ok = estimates.every((e) => e.ok);
      const missing = estimates.some((e) => e.estimate === null);
      return {
        ok,
        estimates,
        message: missing
          ? 'no /random traffic in the last 10 minutes: send some (docs/lessons/random.md) and check again'
          : ok
            ? 'every estimate is within 5 % of the truth'
            : 'some estimates are more than 5 % off: send more traffic (500 requests) and check again',
      };
    },
  };
}
