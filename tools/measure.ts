// What the benchmarks share: their command-line options, medians, and a process's CPU time.
import fs from 'node:fs';

/** A bad option ends the command with one line, before any work starts. */
function usageError(message: string): never {
  console.error(message);
  process.exit(2);
}

/** `--name`, `--name <value>` and `--name <n>` options of a command line. */
export function commandLine(argv: string[]) {
  const flag = (name: string) => argv.includes(`--${name}`);
  const value = (name: string) => (argv.includes(`--${name}`) ? argv[argv.indexOf(`--${name}`) + 1] : undefined);
  const number = (name: string, fallback: number) => {
    const raw = value(name);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isFinite(n) || n <= 0) usageError(`--${name} needs a positive number, got ${JSON.stringify(raw)}`);
    return n;
  };
  return { flag, value, number, usageError };
}

/** The median (NaN for no values). */
export function median(values: number[]): number {
  if (!values.length) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Clock ticks per second of /proc's CPU times (USER_HZ, 100 on Linux). */
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
