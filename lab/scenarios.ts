// The fault lab's scenarios: each a named composition of knobs from the knob table
// (services/shared/knob-table.ts), on the service where the fault belongs, at a few levels.
// Each has a lesson (docs/lessons/<name>.md) and an end-to-end test that proves its evidence.
import type { HypothesisKind } from '../analysis/diagnosis/types';
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
  /**
   * The diagnosis key: the (kind, service) a correct diagnosis names first while this scenario is
   * on (docs/diagnosis.md); none for a scenario that leaves the system healthy. Only the accuracy
   * benchmark and mystery mode read it: the diagnosis itself never sees the lab.
   */
  cause?: { kind: HypothesisKind; service: KnobService };
}

function scenario(s: Omit<Scenario, 'lesson' | 'services'>): Scenario {
  const services = [...new Set(Object.values(s.levels).flatMap((level) => Object.keys(level.knobs) as KnobService[]))];
  return { ...s, services, lesson: `docs/lessons/${s.name}.md` };
}

/** The seed scenarios with random draws restart inference from: the same run every time. */
export const LAB_SEED = 7;

/** The seed the random exercise restarts from: its documented traffic lands within 5 % (docs/lessons/random.md). */
export const RANDOM_EXERCISE_SEED = 2026;

export const SCENARIOS: readonly Scenario[] = [
  scenario({
    name: 'slow-model',
    cause: { kind: 'latency', service: 'model-inference' },
    summary: "inference's median latency goes up; the gateway's budget cuts it and falls back, then the circuit opens",
    test: 'test/e2e/lab-latency.test.ts',
    defaultLevel: 'severe',
    levels: {
      mild: {
        description: 'median 200 ms, p99 400 ms: most calls fit the 250 ms budget',
        knobs: { 'model-inference': { latency_median_ms: 200, latency_p99_ms: 400, seed: LAB_SEED } },
      },
      severe: {
        description: 'median 600 ms, p99 1200 ms: every call blows the budget',
        knobs: { 'model-inference': { latency_median_ms: 600, latency_p99_ms: 1200, seed: LAB_SEED } },
      },
    },
  }),
  scenario({
    name: 'tail-latency',
    cause: { kind: 'latency', service: 'model-inference' },
    summary: 'only the p99 of inference grows; the median falls and the mean barely moves',
    test: 'test/e2e/lab-latency.test.ts',
    defaultLevel: 'severe',
    levels: {
      mild: {
        description: 'median 30 ms, p99 400 ms',
        knobs: { 'model-inference': { latency_median_ms: 30, latency_p99_ms: 400, seed: LAB_SEED } },
      },
      severe: {
        description: 'median 20 ms, p99 600 ms',
        knobs: { 'model-inference': { latency_median_ms: 20, latency_p99_ms: 600, seed: LAB_SEED } },
      },
    },
  }),
  scenario({
    name: 'model-errors',
    cause: { kind: 'errors', service: 'model-inference' },
    summary: 'a share of inferences fail; the gateway falls back with reason error and the fallback alert fires',
    test: 'test/e2e/lab-errors.test.ts',
    defaultLevel: 'severe',
    levels: {
      mild: { description: '20 % of inferences fail', knobs: { 'model-inference': { error_rate: 0.2, seed: LAB_SEED } } },
      severe: { description: '80 % of inferences fail', knobs: { 'model-inference': { error_rate: 0.8, seed: LAB_SEED } } },
    },
  }),
  scenario({
    name: 'cpu-bound',
    cause: { kind: 'cpu', service: 'model-inference' },
    summary: 'inference does synchronous CPU work: the event loop stalls and every endpoint of model-inference slows',
    test: 'test/e2e/lab-runtime.test.ts',
    defaultLevel: 'severe',
    levels: {
      mild: { description: '10 ms of CPU per inference', knobs: { 'model-inference': { cpu_work_ms: 10 } } },
      severe: { description: '25 ms of CPU per inference', knobs: { 'model-inference': { cpu_work_ms: 25 } } },
    },
  }),
  scenario({
    name: 'lock-contention',
    cause: { kind: 'wait', service: 'model-inference' },
    summary: 'inference holds one process-wide lock: requests queue behind each other, latency grows with concurrency',
    test: 'test/e2e/lab-runtime.test.ts',
    defaultLevel: 'severe',
    levels: {
      mild: {
        description: 'lock held for ~10 ms per inference',
        knobs: { 'model-inference': { inference_lock: true, latency_median_ms: 10, latency_p99_ms: 20, seed: LAB_SEED } },
      },
      severe: {
        description: 'lock held for ~25 ms per inference',
        knobs: { 'model-inference': { inference_lock: true, latency_median_ms: 25, latency_p99_ms: 50, seed: LAB_SEED } },
      },
    },
  }),
  scenario({
    name: 'pool-exhaustion',
    cause: { kind: 'wait', service: 'gateway' },
    summary: "the gateway's calls to the model share a tiny connection pool: time is lost waiting for a connection",
    test: 'test/e2e/lab-paths.test.ts',
    defaultLevel: 'severe',
    levels: {
      mild: { description: 'a pool of 4 connections', knobs: { gateway: { model_pool_connections: 4 } } },
      severe: { description: 'a pool of 1 connection', knobs: { gateway: { model_pool_connections: 1 } } },
    },
  }),
  scenario({
    name: 'n-plus-one',
    cause: { kind: 'fan-out', service: 'gateway' },
    summary: 'the gateway looks up reference values with one call per feature, one after another: a staircase',
    test: 'test/e2e/lab-paths.test.ts',
    defaultLevel: 'severe',
    levels: {
      mild: {
        description: 'four calls of ~5 ms',
        knobs: { gateway: { enrich_mode: 'per_feature' }, 'fallback-rules': { lookup_latency_ms: 5 } },
      },
      severe: {
        description: 'four calls of ~20 ms',
        knobs: { gateway: { enrich_mode: 'per_feature' }, 'fallback-rules': { lookup_latency_ms: 20 } },
      },
    },
  }),
  scenario({
    name: 'retry-storm',
    cause: { kind: 'retries', service: 'gateway' },
    summary: 'the gateway retries failed model calls without budget, backoff or breaker: model traffic multiplies',
    test: 'test/e2e/lab-errors.test.ts',
    defaultLevel: 'severe',
    levels: {
      mild: {
        description: '3 attempts per prediction, 90 % of inferences fail',
        knobs: {
          gateway: { model_max_attempts: 3, model_retry_budget_enabled: false, model_retry_backoff_ms: 0, breaker_enabled: false },
          'model-inference': { error_rate: 0.9, seed: LAB_SEED },
        },
      },
      severe: {
        description: '5 attempts per prediction, 90 % of inferences fail',
        knobs: {
          gateway: { model_max_attempts: 5, model_retry_budget_enabled: false, model_retry_backoff_ms: 0, breaker_enabled: false },
          'model-inference': { error_rate: 0.9, seed: LAB_SEED },
        },
      },
    },
  }),
  scenario({
    name: 'broken-propagation',
    cause: { kind: 'propagation', service: 'gateway' },
    summary: 'the call to the model drops the trace context: the trace splits and the model work lands in an orphan trace',
    test: 'test/e2e/lab-paths.test.ts',
    defaultLevel: 'on',
    levels: {
      on: { description: 'the gateway → model hop carries no traceparent or baggage', knobs: { gateway: { propagate_context: false } } },
    },
  }),
  scenario({
    name: 'slow-fallback',
    cause: { kind: 'latency', service: 'fallback-rules' },
    summary: "the model is down and the rules service is slow: end-to-end latency is now the fallback's",
    test: 'test/e2e/lab-latency.test.ts',
    defaultLevel: 'severe',
    levels: {
      mild: {
        description: 'model down, rules take 200 ms',
        knobs: { 'model-inference': { error_rate: 1 }, 'fallback-rules': { latency_ms: 200 } },
      },
      severe: {
        description: 'model down, rules take 600 ms',
        knobs: { 'model-inference': { error_rate: 1 }, 'fallback-rules': { latency_ms: 600 } },
      },
    },
  }),
  scenario({
    name: 'memory-leak',
    cause: { kind: 'memory', service: 'model-inference' },
    summary: 'each inference keeps some heap forever: the heap gauge climbs, GC works harder, the heap-growth alert fires',
    test: 'test/e2e/lab-runtime.test.ts',
    defaultLevel: 'severe',
    levels: {
      mild: { description: '64 KiB kept per inference', knobs: { 'model-inference': { leak_kb_per_request: 64 } } },
      severe: { description: '256 KiB kept per inference', knobs: { 'model-inference': { leak_kb_per_request: 256 } } },
    },
  }),
  scenario({
    name: 'bad-deploy',
    cause: { kind: 'deploy', service: 'model-inference' },
    summary: 'model version 2 takes a share of the traffic and scores everyone higher: drift between versions',
    test: 'test/e2e/lab-deploy.test.ts',
    defaultLevel: 'severe',
    levels: {
      mild: {
        description: 'a canary: 20 % of predictions from version 2',
        knobs: { 'model-inference': { v2_share: 0.2, seed: LAB_SEED } },
      },
      severe: { description: 'half the predictions from version 2', knobs: { 'model-inference': { v2_share: 0.5, seed: LAB_SEED } } },
    },
  }),
  // The asynchronous hop (docs/async-tracing.md). No diagnosis key: the request path stays
  // healthy, which is the lesson; the diagnosis reads the request path, so mysteries leave them out.
  scenario({
    name: 'consumer-lag',
    summary: "the model monitor is slower than the events arrive: the backlog and its age grow, the lag alert fires, requests don't slow",
    test: 'test/e2e/lab-async.test.ts',
    defaultLevel: 'severe',
    levels: {
      mild: { description: '40 ms per event: at most 25 events a second', knobs: { 'model-inference': { monitor_event_work_ms: 40 } } },
      severe: { description: '250 ms per event: at most 4 events a second', knobs: { 'model-inference': { monitor_event_work_ms: 250 } } },
    },
  }),
  scenario({
    name: 'poison-message',
    summary: "one kind of event always fails in the monitor: delivered again and again, then dead-lettered; requests don't notice",
    test: 'test/e2e/lab-async.test.ts',
    defaultLevel: 'on',
    levels: {
      on: {
        description: 'events of enterprise customers always fail',
        knobs: { 'model-inference': { monitor_failing_plan: 'enterprise' } },
      },
    },
  }),
  scenario({
    name: 'broken-event-propagation',
    summary: "the prediction events carry no trace context: the monitor's batch spans link to no request",
    test: 'test/e2e/lab-async.test.ts',
    defaultLevel: 'on',
    levels: {
      on: {
        description: "the gateway publishes without traceparent in the event's headers",
        knobs: { gateway: { propagate_event_context: false } },
      },
    },
  }),
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
