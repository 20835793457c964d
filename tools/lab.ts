// The fault lab on the command line (npm run lab -- …): turn the scenarios of lab/scenarios.ts
// on and off on the running stack, see what is on, and check the random exercise. The control
// token comes from .tracelab/control-token (written by npm start), else CONTROL_TOKEN.
import { labStatus, resetLab, scenarioOff, scenarioOn } from '../lab/actions';
import { DEFAULT_URLS, type LabContext, LabError, LabUsageError, readControlToken } from '../lab/context';
import { writeKnobsDoc } from '../lab/knob-docs';
import {
  formatAnswer,
  formatGuess,
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
} from '../lab/mystery';
import { checkRandom } from '../lab/random';
import { SCENARIOS } from '../lab/scenarios';
import { driveTraffic, formatTrafficSummary, parseOptions, parseTrafficArgs, type TrafficProgress, validateTraffic } from '../lab/traffic';
import { URLS } from './stack';

const USAGE = `usage: npm run lab -- <command>
  list                              the scenarios: name, what goes wrong, services, levels
  on <scenario> [--level <level>]   turn a scenario on (default level: the scenario's own)
  off <scenario>                    put its knobs back to their values at start
  reset                             put every knob of every service back to its value at start
  status                            knobs that differ from their defaults, and the scenarios that are on
  check random [--requests <n>]     send the exercise's traffic, estimate both distributions from Prometheus
  knobs-doc                         regenerate the knob table in docs/lessons/knobs.md
  traffic [--concurrency N] [--seconds S]   send valid, varied predictions (default 4 clients, 10 s; at most 32, 120 s)
  mystery [--seed N] [--concurrency N] [--seconds S]   turn on a hidden scenario (or none, or two) and drive traffic (30 s)
  mystery --history                 your mystery scores
  guess <kind> <service> | <scenario> | healthy   score your guess (up to two causes) and see the evidence
  reveal                            end the mystery: every knob back to its default, and the answer`;

const context = (): LabContext => ({ controlToken: readControlToken(), urls: DEFAULT_URLS });

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return undefined;
  const value = args[i + 1];
  if (value === undefined || value.startsWith('--')) throw new LabError(`--${name} needs a value`);
  return value;
}

function list(): void {
  const width = Math.max(...SCENARIOS.map((s) => s.name.length));
  for (const s of SCENARIOS) {
    console.log(`${s.name.padEnd(width)}  ${s.summary}`);
    console.log(
      `${''.padEnd(width)}  services: ${s.services.join(', ')}; levels: ${Object.keys(s.levels).join(', ')} (default ${s.defaultLevel}); lesson: ${s.lesson}`,
    );
  }
}

async function main(args: string[]): Promise<void> {
  const [command, target] = args;
  switch (command) {
    case 'list':
      return list();
    case 'on': {
      if (!target) throw new LabError('usage: npm run lab -- on <scenario> [--level <level>]');
      const { scenario, level } = await scenarioOn(target, option(args, 'level'), context());
      const found = SCENARIOS.find((s) => s.name === scenario)!;
      console.log(`${scenario} is on (${level}: ${found.levels[level]!.description}). Lesson: ${found.lesson}`);
      return;
    }
    case 'off':
      if (!target) throw new LabError('usage: npm run lab -- off <scenario>');
      await scenarioOff(target, context());
      console.log(`${target} is off`);
      return;
    case 'reset':
      await resetLab(context());
      console.log('every knob is back to its value at start');
      return;
    case 'status': {
      if (mysteryStatus(mysteryDir()).active) {
        console.log('a mystery is on: knobs and scenarios are hidden until npm run lab -- reveal');
        console.log(formatHistory(readHistory(mysteryDir()), 5));
        return;
      }
      const status = await labStatus(context());
      for (const [service, knobs] of Object.entries(status.changed)) {
        const entries = Object.entries(knobs);
        console.log(
          `${service}: ${entries.length ? entries.map(([k, v]) => `${k}=${v.value} (default ${v.default})`).join(', ') : 'all knobs at their defaults'}`,
        );
      }
      console.log(`scenarios on: ${status.active.length ? status.active.map((a) => `${a.scenario} (${a.level})`).join(', ') : 'none'}`);
      console.log(formatHistory(readHistory(mysteryDir()), 5));
      return;
    }
    case 'check': {
      if (target !== 'random') throw new LabError('usage: npm run lab -- check random [--requests <n>]');
      const requests = option(args, 'requests');
      const report = await checkRandom(context(), requests === undefined ? {} : { requests: Number(requests) });
      console.log(report.text);
      if (!report.ok) process.exitCode = 1;
      return;
    }
    case 'knobs-doc':
      writeKnobsDoc();
      console.log('docs/lessons/knobs.md: knob table regenerated');
      return;
    case 'traffic':
    case 'mystery':
    case 'guess':
    case 'reveal':
      return mysteryCommands(command, args.slice(1));
    default:
      throw new LabError(USAGE);
  }
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

async function mysteryCommands(command: 'traffic' | 'mystery' | 'guess' | 'reveal', rest: string[]): Promise<void> {
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

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(`[lab] ${error instanceof LabError ? error.message : String(error)}`);
  process.exit(error instanceof LabUsageError ? 2 : 1);
});
