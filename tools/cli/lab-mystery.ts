// The lab's traffic and mystery commands (npm run lab -- traffic | mystery | guess | reveal),
// kept apart from tools/cli/lab.ts, which routes these commands here before reading its own options:
// they parse their own arguments (lab/traffic.ts, lab/mystery.ts) and end with exit code 2 on
// bad input (LabUsageError).
import { DEFAULT_URLS, type LabContext, LabUsageError } from '../../lab/context';
import {
  formatHistory,
  guessMystery,
  MYSTERY_TRAFFIC,
  mysteryDir,
  mysteryStatus,
  parseGuess,
  readHistory,
  revealMystery,
  startMystery,
  validateSeed,
} from '../../lab/mystery';
import { formatAnswer, formatGuess } from '../../lab/mystery-text';
import {
  driveTraffic,
  formatTrafficSummary,
  parseOptions,
  parseTrafficArgs,
  type TrafficProgress,
  validateTraffic,
} from '../../lab/traffic';
import { URLS } from '../../local/addresses';

export const MYSTERY_USAGE = `
  traffic [--concurrency N] [--seconds S]   send valid, varied predictions (default 4 clients, 10 s; at most 32, 120 s)
  mystery [--seed N] [--concurrency N] [--seconds S]   turn on a hidden scenario (or none, or two) and drive traffic (30 s)
  mystery --history                 your mystery scores
  guess <kind> <service> | <scenario> | healthy   score your guess (up to two causes) and see the evidence
  reveal                            end the mystery: every knob back to its default, and the answer`;

const COMMANDS = ['traffic', 'mystery', 'guess', 'reveal'] as const;
type MysteryCommand = (typeof COMMANDS)[number];
export const isMysteryCommand = (command: string | undefined): command is MysteryCommand =>
  (COMMANDS as readonly string[]).includes(command ?? '');

/** For `lab status`: while a mystery is on, what is on stays hidden (true: status is said). */
export function printMysteryStatus(): boolean {
  const hidden = mysteryStatus(mysteryDir()).active;
  if (hidden) console.log('a mystery is on: knobs and scenarios are hidden until npm run lab -- reveal');
  console.log(formatHistory(readHistory(mysteryDir()), 5));
  return hidden;
}

/** Progress on stderr: one line rewritten on a terminal, a line every 5 s otherwise. */
function progress(seconds: number): (p: TrafficProgress) => void {
  return ({ elapsedMs, requests }) => {
    const line = `traffic: ${Math.min(seconds, Math.round(elapsedMs / 1000))} of ${seconds} s, ${requests} requests`;
    if (process.stderr.isTTY) process.stderr.write(`\r${line}`);
    else if (Math.round(elapsedMs / 1000) % 5 === 0) process.stderr.write(`${line}\n`);
  };
}
const endProgress = () => process.stderr.isTTY && process.stderr.write('\n');

/** Runs one of the commands; `context` gives the lab's context (it reads the control token). */
export async function runMysteryCommand(command: MysteryCommand, rest: string[], context: () => LabContext): Promise<void> {
  const backends = { jaegerUrl: URLS.jaeger, prometheusUrl: URLS.prometheus, logsUrl: URLS.victorialogs };
  switch (command) {
    case 'traffic': {
      const options = parseTrafficArgs(rest);
      const summary = await driveTraffic(DEFAULT_URLS.gateway, options, progress(options.seconds));
      endProgress();
      console.log(formatTrafficSummary(summary));
      return;
    }
    case 'mystery': {
      if (rest.length === 1 && rest[0] === '--history') return void console.log(formatHistory(readHistory(mysteryDir()), Infinity));
      const { seed, ...traffic } = parseOptions(rest, ['seed', 'concurrency', 'seconds']);
      const options = validateTraffic({
        concurrency: traffic.concurrency ?? MYSTERY_TRAFFIC.concurrency,
        seconds: traffic.seconds ?? MYSTERY_TRAFFIC.seconds,
      });
      const seedOption = seed === undefined ? {} : { seed: validateSeed(seed) };
      const ctx = context();
      console.log('Starting a mystery: something may be wrong, or nothing; then traffic…');
      const summary = await startMystery(ctx, { ...seedOption, traffic: options, dir: mysteryDir() }, progress(options.seconds));
      endProgress();
      console.log(formatTrafficSummary(summary));
      console.log(
        'Find the cause in the telemetry (console http://127.0.0.1:8090, npm run why), then: npm run lab -- guess <kind> <service>. More traffic: npm run lab -- traffic',
      );
      return;
    }
    case 'guess':
      console.log(formatGuess(await guessMystery(parseGuess(rest), { dir: mysteryDir(), backends })));
      return;
    case 'reveal': {
      if (rest.length) throw new LabUsageError('usage: npm run lab -- reveal');
      const reveal = await revealMystery(context(), mysteryDir());
      console.log(
        `${reveal.guessed ? `You guessed ${reveal.guessed.guess} (${reveal.guessed.points} point(s)).` : 'No guess: 0 points.'} Every knob is back to its default.`,
      );
      console.log(formatAnswer(reveal.answer));
      console.log(`(seed ${reveal.seed})`);
      return;
    }
  }
}
