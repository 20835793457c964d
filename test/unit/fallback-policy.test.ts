import { trace } from '@opentelemetry/api';
import { hrTimeToMilliseconds } from '@opentelemetry/core';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { BadResponseError, ModelCallPolicy } from '../../services/gateway/src/fallback-policy';

const options = { timeoutMs: 50, failureThreshold: 2, halfOpenAfterMs: 100 };
const ok = async () => 'answer';
const fail = async () => {
  throw new Error('boom');
};

// Fake timers: the budget and the half-open wait are checked on the policy's own clock, not on
// how busy the machine happens to be.
beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('the model call policy', () => {
  it('passes successful calls through', async () => {
    const policy = new ModelCallPolicy(options);
    expect(await policy.execute(ok)).toEqual({ ok: true, value: 'answer', attempts: 1 });
    expect(policy.circuitState).toBe('closed');
  });

  it('gives up after the time budget and aborts the call', async () => {
    const policy = new ModelCallPolicy(options);
    let aborted = false;
    let settled = false;
    const pending = policy
      .execute(
        (signal) =>
          new Promise((resolve) => {
            signal.addEventListener('abort', () => (aborted = true));
            setTimeout(resolve, 1000);
          }),
      )
      .finally(() => (settled = true));
    await vi.advanceTimersByTimeAsync(options.timeoutMs - 1);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(await pending).toMatchObject({ ok: false, reason: 'timeout' });
    expect(aborted).toBe(true);
  });

  it('names errors and bad responses', async () => {
    const policy = new ModelCallPolicy({ ...options, failureThreshold: 10 });
    expect(await policy.execute(fail)).toMatchObject({ ok: false, reason: 'error' });
    expect(
      await policy.execute(async () => {
        throw new BadResponseError('garbage');
      }),
    ).toMatchObject({ ok: false, reason: 'bad_response' });
  });

  it('opens the circuit after consecutive failures, then fails fast without calling', async () => {
    const policy = new ModelCallPolicy(options);
    await policy.execute(fail);
    await policy.execute(fail);
    expect(policy.circuitState).toBe('open');
    let called = false;
    const result = await policy.execute(async () => {
      called = true;
      return 'x';
    });
    expect(result).toMatchObject({ ok: false, reason: 'circuit_open' });
    expect(called).toBe(false);
  });

  it('half-opens after the wait: a successful trial closes it, a failed one reopens it', async () => {
    const policy = new ModelCallPolicy(options);
    const states: string[] = [];
    policy.onCircuitStateChange((s) => states.push(s));
    await policy.execute(fail);
    await policy.execute(fail);
    await vi.advanceTimersByTimeAsync(options.halfOpenAfterMs);
    expect(await policy.execute(fail)).toMatchObject({ ok: false, reason: 'error' });
    expect(policy.circuitState).toBe('open');
    await vi.advanceTimersByTimeAsync(options.halfOpenAfterMs);
    expect(await policy.execute(ok)).toEqual({ ok: true, value: 'answer', attempts: 1 });
    expect(policy.circuitState).toBe('closed');
    expect(states).toEqual(['open', 'half_open', 'open', 'half_open', 'closed']);
  });
  it('counts the wait for a half-open trial against the budget of the call that waits', async () => {
    const policy = new ModelCallPolicy(options);
    await policy.execute(fail);
    await policy.execute(fail);
    await vi.advanceTimersByTimeAsync(options.halfOpenAfterMs);
    const answerAfter = (ms: number) => () => new Promise<string>((resolve) => setTimeout(() => resolve('answer'), ms));
    // The trial takes 40 ms; the call behind it waits for the verdict, then needs 30 ms more:
    // 70 ms in all, past the 50 ms budget, so it times out at 50 ms instead of answering late.
    const trial = policy.execute(answerAfter(40));
    const waiting = policy.execute(answerAfter(30));
    await vi.advanceTimersByTimeAsync(options.timeoutMs);
    expect(await trial).toMatchObject({ ok: true });
    expect(await waiting).toMatchObject({ ok: false, reason: 'timeout' });
    expect(policy.circuitState).toBe('closed');
  });
});

describe('retries', () => {
  const failing = () => {
    let calls = 0;
    return {
      calls: () => calls,
      call: async () => {
        calls++;
        throw new Error('HTTP 500');
      },
    };
  };

  it('retry every error answer up to the attempt limit without a budget (a retry storm)', async () => {
    const policy = new ModelCallPolicy({ ...options, breakerEnabled: false, maxAttempts: 3 });
    const model = failing();
    for (let i = 0; i < 10; i++) expect(await policy.execute(model.call)).toMatchObject({ ok: false, reason: 'error', attempts: 3 });
    expect(model.calls()).toBe(30);
  });

  it('stay within the retry budget: one retry per ten calls at ratio 0.1', async () => {
    const policy = new ModelCallPolicy({ ...options, breakerEnabled: false, maxAttempts: 3, retryBudgetRatio: 0.1 });
    const model = failing();
    for (let i = 0; i < 100; i++) await policy.execute(model.call);
    expect(model.calls()).toBe(110);
  });

  it('never retry a timeout', async () => {
    const policy = new ModelCallPolicy({ ...options, breakerEnabled: false, maxAttempts: 3 });
    let calls = 0;
    const slow = () => {
      calls++;
      return new Promise<string>(() => undefined);
    };
    const result = policy.execute(slow);
    await vi.advanceTimersByTimeAsync(options.timeoutMs);
    expect(await result).toMatchObject({ ok: false, reason: 'timeout', attempts: 1 });
    expect(calls).toBe(1);
  });
});

describe('the span of a wait for the half-open trial', () => {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  beforeAll(() => {
    trace.setGlobalTracerProvider(provider);
  });
  afterAll(() => {
    trace.disable();
    vi.restoreAllMocks();
  });

  it('starts on the wall clock when the wait began, even with the process clock behind it', async () => {
    // A long-running process's performance clock (timeOrigin + now()) falls behind the wall clock
    // when the machine is suspended or its clock is stepped: 12.7 s behind in one CI run.
    // The wait is measured on performance.now(): faked too, so that it advances with the timers.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date', 'performance'] });
    const timeOrigin = performance.timeOrigin;
    vi.spyOn(performance, 'timeOrigin', 'get').mockReturnValue(timeOrigin - 12_700);
    const policy = new ModelCallPolicy(options);
    await policy.execute(fail);
    await policy.execute(fail);
    await vi.advanceTimersByTimeAsync(options.halfOpenAfterMs);
    const answerAfter = (ms: number) => () => new Promise<string>((resolve) => setTimeout(() => resolve('answer'), ms));
    const before = Date.now();
    const trial = policy.execute(answerAfter(20));
    const waiting = policy.execute(answerAfter(10));
    await vi.advanceTimersByTimeAsync(options.timeoutMs);
    await Promise.all([trial, waiting]);
    await provider.forceFlush();
    const [wait] = exporter.getFinishedSpans().filter((span) => span.name === 'model.circuit.wait');
    expect(wait).toBeDefined();
    const startMs = hrTimeToMilliseconds(wait!.startTime);
    expect(startMs).toBeGreaterThanOrEqual(before);
    expect(hrTimeToMilliseconds(wait!.duration)).toBeCloseTo(20, 0);
  });
});
