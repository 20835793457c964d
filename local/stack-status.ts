// What a native stack is still building or starting, in a file of its state folder: the runner
// (tools/runner/supervisor.ts) rewrites it whenever a build or a process changes state, and the
// console reads it (GET /api/stack/status) for the banner that says what is still building.
import path from 'node:path';
import { stateDir } from './paths';

export const stackStatusFile = (state: string = stateDir) => path.join(state, 'stack-status.json');

/** The file's content. Times are epoch milliseconds. */
export interface StackStatus {
  /** Builds not finished yet, in the order they run; the first runs since `startedAt`. */
  builds: { binary: string; expectedS: number; startedAt?: number }[];
  processes: {
    name: string;
    /** What a person calls it ("Prometheus"). */
    title: string;
    /** building (its binary, or waiting for its turn), waiting (for what it needs), starting, running, backoff, held. */
    state: string;
    /** The binary it runs, when that is built here. */
    binary?: string;
  }[];
}

/** One part of the stack that is not ready yet, as the console shows it. */
export interface PendingPart {
  title: string;
  state: 'building' | 'waiting to be built' | 'starting';
  /** Seconds until it should be ready, from the build estimates (0: any moment now). */
  secondsLeft?: number;
}

/**
 * The parts that are not running yet, one per title (copies of a backend are one part), each
 * with the seconds its build should still take: the first build's estimate less its elapsed
 * time, then each later build's estimate on top.
 */
export function pendingParts(status: StackStatus, now: number): PendingPart[] {
  const doneAt = new Map<string, number>();
  let clock = now;
  for (const [i, build] of status.builds.entries()) {
    clock =
      i === 0 && build.startedAt !== undefined ? Math.max(now, build.startedAt + build.expectedS * 1000) : clock + build.expectedS * 1000;
    doneAt.set(build.binary, clock);
  }
  const parts = new Map<string, PendingPart>();
  for (const p of status.processes) {
    // A process stopped or restarting after it ran is supervision's business, not start-up's.
    if (!['building', 'waiting', 'starting'].includes(p.state) || parts.has(p.title)) continue;
    const built = p.binary === undefined ? undefined : doneAt.get(p.binary);
    if (built === undefined) {
      parts.set(p.title, { title: p.title, state: 'starting' });
      continue;
    }
    const building = status.builds[0]?.binary === p.binary;
    parts.set(p.title, {
      title: p.title,
      state: building ? 'building' : 'waiting to be built',
      secondsLeft: Math.round((built - now) / 1000),
    });
  }
  return [...parts.values()];
}
