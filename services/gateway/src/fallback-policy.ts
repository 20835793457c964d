// When does the gateway stop waiting for the model and ask the business rules instead?
// A time budget per call and a circuit breaker (cockatiel): after N consecutive failures the
// circuit opens and calls fail fast for a while, then one trial call (half-open) decides
// whether to close it again. Failed answers (not timeouts) may be retried, within a retry
// budget. Domain code: the model call is injected; the only telemetry is the span of a wait.
import { setTimeout as sleep } from 'node:timers/promises';
import { context, SpanStatusCode, trace } from '@opentelemetry/api';
import {
  BrokenCircuitError,
  type CircuitBreakerPolicy,
  CircuitState,
  ConsecutiveBreaker,
  circuitBreaker,
  handleAll,
  TaskCancelledError,
  TimeoutStrategy,
  timeout,
  wrap,
} from 'cockatiel';

export type FallbackReason = 'timeout' | 'error' | 'circuit_open' | 'bad_response';

/** The model answered, but not with something we can use. */
export class BadResponseError extends Error {}

export interface PolicyOptions {
  /** Time budget for one model call. */
  timeoutMs: number;
  /** Consecutive failures that open the circuit. */
  failureThreshold: number;
  /** How long the circuit stays open before a trial call. */
  halfOpenAfterMs: number;
  /** Whether calls go through the circuit breaker (default true). */
  breakerEnabled?: boolean;
  /** Attempts per call when the model answers with an error (default 1: no retries). */
  maxAttempts?: number;
  /** Retries allowed per first attempt (a retry budget); undefined = no budget. */
  retryBudgetRatio?: number;
  /** Wait before the first retry, doubled for each further one (default 0). */
  retryBackoffMs?: number;
}

export type PolicyResult<T> = ({ ok: true; value: T } | { ok: false; reason: FallbackReason; error: unknown }) & {
  /** Calls made to the model (1 + retries). */
  attempts: number;
};

/** Most tokens a retry budget saves up: a quiet hour must not pay for a storm. */
const MAX_RETRY_TOKENS = 10;

/**
 * A retry budget: every first attempt earns `ratio` of a retry, every retry spends one, so
 * retries stay below that share of calls however badly the model fails. Starts empty.
 */
export class RetryBudget {
  private tokens = 0;

  earn(ratio: number): void {
    this.tokens = Math.min(MAX_RETRY_TOKENS, this.tokens + ratio);
  }

  trySpend(): boolean {
    // Ten earnings of 0.1 sum to 0.9999…: allow for the rounding.
    if (this.tokens < 1 - 1e-9) return false;
    this.tokens -= 1;
    return true;
  }
}

export type CircuitStateName = 'closed' | 'open' | 'half_open' | 'isolated';

const STATE_NAMES: Record<CircuitState, CircuitStateName> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half_open',
  [CircuitState.Isolated]: 'isolated',
};

export function classifyFailure(error: unknown): FallbackReason {
  if (error instanceof BrokenCircuitError) return 'circuit_open';
  if (error instanceof TaskCancelledError) return 'timeout';
  if (error instanceof BadResponseError) return 'bad_response';
  return 'error';
}

/**
 * The options may change while the service runs (they are runtime knobs): the time budget applies
 * from the next call, and a new threshold or open time replaces the breaker (which starts closed).
 */
export class ModelCallPolicy {
  private readonly options: () => PolicyOptions;
  private readonly listeners: ((state: CircuitStateName) => void)[] = [];
  private breaker!: CircuitBreakerPolicy;
  private breakerBuiltFor = '';

  constructor(options: PolicyOptions | (() => PolicyOptions)) {
    this.options = typeof options === 'function' ? options : () => options;
    this.currentBreaker();
  }

  private currentBreaker(): CircuitBreakerPolicy {
    const { failureThreshold, halfOpenAfterMs } = this.options();
    const key = `${failureThreshold}/${halfOpenAfterMs}`;
    if (key !== this.breakerBuiltFor) {
      this.breaker = circuitBreaker(handleAll, { halfOpenAfter: halfOpenAfterMs, breaker: new ConsecutiveBreaker(failureThreshold) });
      this.breaker.onStateChange((state) => {
        for (const listener of this.listeners) listener(STATE_NAMES[state]);
      });
      this.breakerBuiltFor = key;
    }
    return this.breaker;
  }

  get circuitState(): CircuitStateName {
    return STATE_NAMES[this.currentBreaker().state];
  }

  onCircuitStateChange(listener: (state: CircuitStateName) => void): void {
    this.listeners.push(listener);
  }

  /** Calls the model; on an error answer retries up to maxAttempts, within the retry budget. */
  async execute<T>(call: (signal: AbortSignal) => Promise<T>): Promise<PolicyResult<T>> {
    const { maxAttempts = 1, retryBudgetRatio, retryBackoffMs = 0 } = this.options();
    if (retryBudgetRatio !== undefined) this.retryBudget.earn(retryBudgetRatio);
    for (let attempts = 1; ; attempts++) {
      const result = await this.attempt(call);
      const retry =
        !result.ok &&
        result.reason === 'error' &&
        attempts < maxAttempts &&
        (retryBudgetRatio === undefined || this.retryBudget.trySpend());
      if (!retry) return { ...result, attempts };
      if (retryBackoffMs > 0) await sleep(retryBackoffMs * 2 ** (attempts - 1));
    }
  }

  private readonly retryBudget = new RetryBudget();

  /**
   * One call within the time budget. The budget is the caller's: it runs from the moment the
   * gateway decides to call the model, so it covers every wait before the call (a call that
   * arrives while the breaker's half-open trial is in flight waits for the trial's verdict; the
   * model client's pool makes calls wait for a connection) as well as the call itself. The inner
   * budget is the same one, seen by the breaker, so that a call which ignores its signal still
   * counts as a failure there.
   */
  private async attempt<T>(call: (signal: AbortSignal) => Promise<T>) {
    const { timeoutMs, breakerEnabled = true } = this.options();
    // Aggressive: the budget is enforced even if the call ignores its signal; the signal still
    // aborts the outgoing request so slow calls do not pile up behind the budget.
    const budget = () => timeout(timeoutMs, TimeoutStrategy.Aggressive);
    const breaker = breakerEnabled ? this.currentBreaker() : undefined;
    const policy = breaker ? wrap(budget(), breaker, budget()) : budget();
    const trialWait = breaker?.state === CircuitState.HalfOpen ? halfOpenWait() : undefined;
    try {
      return {
        ok: true as const,
        value: await policy.execute(({ signal }) => {
          trialWait?.end();
          return call(signal);
        }),
      };
    } catch (error) {
      trialWait?.end(error);
      return { ok: false as const, reason: classifyFailure(error), error };
    }
  }
}

const tracer = trace.getTracer('gateway');

/**
 * A call that finds the breaker half-open waits for the trial call's verdict before it may call
 * (cockatiel lets one trial through). The wait becomes a span only if it really happened: it is
 * created when the wait ends, with the time it began, and only if that took a measurable time.
 * The start is the wall clock now less the wait's length: `performance.timeOrigin + began` is
 * not a wall-clock time in a process that has run a while (its monotonic clock falls behind when
 * the machine is suspended or its clock is stepped; 12.7 s in one CI run, so the span began 12.7 s
 * before its request and made that trace the longest of its minute).
 */
function halfOpenWait(): { end: (error?: unknown) => void } {
  const parent = context.active();
  const began = performance.now();
  let ended = false;
  return {
    end(error?: unknown) {
      if (ended) return;
      ended = true;
      const waitedMs = performance.now() - began;
      if (waitedMs < 1) return;
      const span = tracer.startSpan(
        'model.circuit.wait',
        { startTime: Date.now() - waitedMs, attributes: { 'peer.service': 'model-inference' } },
        parent,
      );
      if (error !== undefined)
        span.setStatus({ code: SpanStatusCode.ERROR, message: `gave up waiting for the half-open trial: ${classifyFailure(error)}` });
      span.end();
    },
  };
}
