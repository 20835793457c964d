// When does the gateway stop waiting for the model and ask the business rules instead?
// A time budget per call and a circuit breaker (cockatiel): after N consecutive failures the
// circuit opens and calls fail fast for a while, then one trial call (half-open) decides
// whether to close it again. Pure domain code: the model call is injected.
import {
  BrokenCircuitError,
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

export class ModelCallPolicy {
  private readonly breaker;
  private readonly policy;

  constructor(options: PolicyOptions) {
    this.breaker = circuitBreaker(handleAll, {
      halfOpenAfter: options.halfOpenAfterMs,
      breaker: new ConsecutiveBreaker(options.failureThreshold),
    });
    // Aggressive: the budget is enforced even if the call ignores its signal; the signal still
    // aborts the outgoing request so slow calls do not pile up behind the budget.
    this.policy = wrap(this.breaker, timeout(options.timeoutMs, TimeoutStrategy.Aggressive));
  }

  get circuitState(): CircuitStateName {
    return STATE_NAMES[this.breaker.state];
  }

  onCircuitStateChange(listener: (state: CircuitStateName) => void): void {
    this.breaker.onStateChange((state) => listener(STATE_NAMES[state]));
  }

  async execute<T>(call: (signal: AbortSignal) => Promise<T>): Promise<PolicyResult<T>> {
    try {
      return { ok: true, value: await this.policy.execute(({ signal }) => call(signal)) };
    } catch (error) {
      return { ok: false, reason: classifyFailure(error), error };
    }
  }
}
