// The faults the lab injects into inference, as plain code: CPU work that blocks the event loop,
// one process-wide lock, a heap leak, and the model monitor's slow or failing events. No HTTP and
// no telemetry here.
import { setTimeout as sleep } from 'node:timers/promises';
import { predict } from './model';

/**
 * Real synchronous work for about `ms` milliseconds: the model evaluated over and over on
 * perturbed inputs. Nothing else runs on this process meanwhile.
 */
export function burnCpu(ms: number): number {
  const until = performance.now() + ms;
  let checksum = 0;
  for (let i = 0; performance.now() < until; i++) {
    checksum += predict({ tenure_months: i % 120, monthly_spend: i % 500, support_tickets: i % 13, plan: 'pro' }).score;
  }
  return checksum;
}

/** A FIFO mutex: one holder at a time, the others wait in arrival order. */
export class Mutex {
  private held = false;
  private readonly waiting: (() => void)[] = [];

  /** Resolves when the caller holds the lock; call the returned function to release it. */
  async acquire(): Promise<() => void> {
    if (this.held) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.held = true;
    return () => {
      const next = this.waiting.shift();
      if (next)
        next(); // handed over: stays held
      else this.held = false;
    };
  }
}

/** 512 MiB: enough for the heap alert, far below what would crash the service. */
export const LEAK_CAP_BYTES = 512 * 1024 * 1024;

/** Heap that is never released while leaking is on: one string per inference. */
export class Leak {
  private readonly kept: number[][] = [];
  private bytes = 0;

  /** Keeps `kb` KiB more, up to the cap; answers whether it did. */
  add(kb: number): boolean {
    const size = kb * 1024;
    if (size === 0 || this.bytes + size > LEAK_CAP_BYTES) return false;
    // A filled array of small integers: 8 bytes per element on V8's heap. (A padded string
    // would not do: V8 builds it as a rope of a few shared pieces, ~1 % of its length.)
    this.kept.push(new Array<number>(size / 8).fill(this.kept.length));
    this.bytes += size;
    return true;
  }

  get retainedBytes(): number {
    return this.bytes;
  }

  /** Drops everything kept (the lab's reset): the next garbage collection frees it. */
  release(): void {
    this.kept.length = 0;
    this.bytes = 0;
  }
}

/** Thrown for a poison message: an event the monitor can never process. */
export class PoisonEventError extends Error {}

/**
 * The model monitor's faults, before it counts an event: events of the failing plan always fail
 * (poison-message), and every event takes `monitor_event_work_ms` (consumer-lag).
 */
export async function monitorEventFaults(
  plan: string,
  knobs: { monitor_failing_plan: string; monitor_event_work_ms: number },
): Promise<void> {
  if (knobs.monitor_failing_plan === plan) throw new PoisonEventError(`no drift baseline for plan "${plan}"`);
  if (knobs.monitor_event_work_ms > 0) await sleep(knobs.monitor_event_work_ms);
}
