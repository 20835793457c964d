// How every command line of tracelab is read: node:util's parseArgs, strict. `--help` (or -h)
// prints the usage and exits 0; an unknown option or a bad value ends the command with one line
// on stderr and exit code 2, before any work starts.
import { type ParseArgsOptionsConfig, parseArgs } from 'node:util';

export { durationMs } from '../../analysis/diagnosis/periods';

/** Ends the command: one line naming the problem, exit code 2. */
export function usageError(name: string, message: string, hint?: string): never {
  console.error(`${name}: ${message.replace(/\s*\n\s*/g, ' ')}${hint ? ` (${hint})` : ''}`);
  process.exit(2);
}

export interface CommandLine<T extends ParseArgsOptionsConfig> {
  /** Prefix of the error line, e.g. "why". */
  name: string;
  usage: string;
  options: T;
  /** Said after an error, e.g. "npm run why -- --help". */
  hint?: string;
}

export function parseCommandLine<const T extends ParseArgsOptionsConfig>(argv: string[], { name, usage, options, hint }: CommandLine<T>) {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(usage);
    process.exit(0);
  }
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    return usageError(name, (error as Error).message, hint);
  }
}

/** A positive number option (undefined when not given). */
export function positiveNumber(name: string, option: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) usageError(name, `--${option} needs a positive number, got ${JSON.stringify(raw)}`);
  return n;
}
