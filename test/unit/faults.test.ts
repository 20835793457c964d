// The fault mechanics the lab turns on, without HTTP: the gateway's model pool, the model's
// lock, CPU work and heap leak, version 2's shifted scores, and the model monitor's event faults.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { createPool } from '../../services/gateway/src/clients';
import { burnCpu, LEAK_CAP_BYTES, Leak, Mutex, monitorEventFaults, PoisonEventError } from '../../services/model-inference/src/faults';
import { predict, WEIGHTS_V2 } from '../../services/model-inference/src/model';

describe('the model pool', () => {
  it('lets `limit` calls run at once and queues the rest in arrival order', async () => {
    const pool = createPool(() => 1);
    const order: string[] = [];
    const releases: (() => void)[] = [];
    const work = (name: string) => () =>
      new Promise<void>((resolve) => {
        order.push(name);
        releases.push(resolve);
      });
    const signal = new AbortController().signal;
    const all = Promise.all([pool(work('a'), signal), pool(work('b'), signal), pool(work('c'), signal)]);
    await Promise.resolve();
    expect(order).toEqual(['a']);
    releases.shift()!();
    await new Promise((resolve) => setImmediate(resolve));
    expect(order).toEqual(['a', 'b']);
    releases.shift()!();
    await new Promise((resolve) => setImmediate(resolve));
    releases.shift()!();
    await all;
    expect(order).toEqual(['a', 'b', 'c']);
  });

  it('drops a queued call whose signal aborts, and has no limit at 0', async () => {
    const pool = createPool(() => 1);
    let release!: () => void;
    const first = pool(() => new Promise<void>((resolve) => (release = resolve)), new AbortController().signal);
    const abort = new AbortController();
    const queued = pool(async () => 'ran', abort.signal);
    abort.abort(new Error('budget spent'));
    await expect(queued).rejects.toThrow('budget spent');
    release();
    await first;
    const unlimited = createPool(() => 0);
    let running = 0;
    let peak = 0;
    const signal = new AbortController().signal;
    await Promise.all(
      Array.from({ length: 5 }, () =>
        unlimited(async () => {
          peak = Math.max(peak, ++running);
          await new Promise((resolve) => setImmediate(resolve));
          running--;
        }, signal),
      ),
    );
    expect(peak).toBe(5);
  });
});

describe('the inference faults', () => {
  it('a mutex admits one holder at a time, in arrival order', async () => {
    const mutex = new Mutex();
    const log: string[] = [];
    await Promise.all(
      ['a', 'b', 'c'].map(async (name) => {
        const release = await mutex.acquire();
        log.push(`${name}+`);
        await new Promise((resolve) => setImmediate(resolve));
        log.push(`${name}-`);
        release();
      }),
    );
    expect(log).toEqual(['a+', 'a-', 'b+', 'b-', 'c+', 'c-']);
  });

  it('CPU work keeps the thread busy for about the asked time', () => {
    const started = performance.now();
    burnCpu(30);
    expect(performance.now() - started).toBeGreaterThanOrEqual(30);
  });

  it('the leak keeps what it is given up to its cap, and releases it all', () => {
    const leak = new Leak();
    expect(leak.add(1024)).toBe(true);
    expect(leak.retainedBytes).toBe(1024 * 1024);
    while (leak.add(1024));
    expect(leak.retainedBytes).toBe(LEAK_CAP_BYTES);
    leak.release();
    expect(leak.retainedBytes).toBe(0);
  });

  it('the leak really occupies the heap, not just its own count', () => {
    // A garbage collection before each reading, so only live objects count.
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const leak = new Leak();
    gc();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < 256; i++) leak.add(64);
    gc();
    expect(process.memoryUsage().heapUsed - before).toBeGreaterThan(0.9 * leak.retainedBytes);
    leak.release();
  });

  it('version 2 scores the same customer higher', () => {
    const typical = { tenure_months: 24, monthly_spend: 80, support_tickets: 1, plan: 'pro' } as const;
    expect(predict(typical, WEIGHTS_V2).score).toBeGreaterThan(predict(typical).score + 0.2);
  });
});

describe("the model monitor's event faults", () => {
  it('fail every event of the failing plan, and only those', async () => {
    const knobs = { monitor_failing_plan: 'enterprise', monitor_event_work_ms: 0 };
    await expect(monitorEventFaults('enterprise', knobs)).rejects.toThrow(PoisonEventError);
    await expect(monitorEventFaults('enterprise', knobs)).rejects.toThrow('no drift baseline for plan "enterprise"');
    await expect(monitorEventFaults('basic', knobs)).resolves.toBeUndefined();
    await expect(monitorEventFaults('enterprise', { ...knobs, monitor_failing_plan: 'none' })).resolves.toBeUndefined();
  });

  it('take the work time on every event', async () => {
    const started = performance.now();
    await monitorEventFaults('pro', { monitor_failing_plan: 'none', monitor_event_work_ms: 30 });
    // Timers never fire early; a loaded machine can only make it later.
    expect(performance.now() - started).toBeGreaterThanOrEqual(29);
  });
});
