// What the benchmarks read from /proc (Linux): a process's CPU time and memory, the machine's busy
// CPU time, and the processes below one.
import fs from 'node:fs';

/** Clock ticks per second of /proc's CPU times (USER_HZ: 100 on every architecture Node runs on). */
export const TICKS_PER_SECOND = 100;

/** User + system CPU seconds of a whole process (all its threads); 0 once it has gone. */
export function processCpuSeconds(pid: number | undefined): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // After the command's closing parenthesis, fields[0] is field 3 (state); utime and stime are 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** CPU seconds every process on the machine has used (busy, not idle or waiting on I/O). */
export function machineBusySeconds(): number {
  const [, user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fs
    .readFileSync('/proc/stat', 'utf8')
    .split('\n')[0]!
    .trim()
    .split(/\s+/)
    .map(Number);
  return (user + nice + system + irq + softirq + steal) / TICKS_PER_SECOND;
}

/** A field of a /proc file in kB, as MiB (0 if the process has exited meanwhile). */
function procMiB(pid: number, file: string, field: string): number {
  try {
    const text = fs.readFileSync(`/proc/${pid}/${file}`, 'utf8');
    return Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}

export const rssMiB = (pid: number) => procMiB(pid, 'status', 'VmRSS');

/**
 * Proportional set size: the process's private pages plus its share of pages it shares. Summed
 * over processes it counts each page once; a sum of RSS counts the Node binary and its libraries
 * once per Node process.
 */
export const pssMiB = (pid: number) => procMiB(pid, 'smaps_rollup', 'Pss');

/** Samples RSS of some processes until stopped; returns each one's maximum. */
export function sampleRss(pids: Record<string, number>, intervalMs = 500): () => Record<string, number> {
  const max: Record<string, number> = {};
  const sample = () => {
    for (const [name, pid] of Object.entries(pids)) max[name] = Math.max(max[name] ?? 0, rssMiB(pid));
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  return () => {
    clearInterval(timer);
    sample();
    return max;
  };
}

/** Every process below `root` (and root itself), by pid, with its command name. */
export function processTree(root: number): Map<number, string> {
  const parents = new Map<number, number>();
  const names = new Map<number, string>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const pid = Number(entry);
      parents.set(pid, Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
      names.set(pid, stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')));
    } catch {
      // exited meanwhile
    }
  }
  const tree = new Map<number, string>([[root, names.get(root) ?? 'runner']]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, parent] of parents) {
      if (!tree.has(pid) && tree.has(parent)) {
        tree.set(pid, names.get(pid) ?? String(pid));
        grew = true;
      }
    }
  }
  return tree;
}
