// When does the gateway stop waiting for the model and ask the business rules instead?
// A time budget per call and a circuit breaker (cockatiel): after N consecutive failures the
// circuit opens and calls fail fast for a while, then one trial call (half-open) decides
// whether to close it again. Pure domain code: the model call is injected.
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
}

export type PolicyResult<T> = { ok: true; value: T } | { ok: false; reason: FallbackReason; error: unknown };

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

  async execute<T>(call: (signal: AbortSignal) => Promise<T>): Promise<PolicyResult<T>> {
    // Aggressive: the budget is enforced even if the call ignores its signal; the signal still
    // aborts the outgoing request so slow calls do not pile up behind the budget.
    const policy = wrap(this.currentBreaker(), timeout(this.options().timeoutMs, TimeoutStrategy.Aggressive));
    try {
      return { ok: true, value: await policy.execute(({ signal }) => call(signal)) };
    } catch (error) {
      return { ok: false, reason: classifyFailure(error), error };
    }
  }
}
