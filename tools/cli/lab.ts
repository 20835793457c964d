// The fault lab on the command line (npm run lab -- …): turn the scenarios of lab/scenarios.ts
// on and off on the running stack, see what is on, and check the random exercise. The control
// token: CONTROL_TOKEN when set, else .tracelab/control-token (written by npm start).
import { labStatus, resetLab, scenarioOff, scenarioOn } from '../../lab/actions';
import { DEFAULT_URLS, type LabContext, LabError, LabUsageError, readControlToken } from '../../lab/context';
import { writeKnobsDoc } from '../../lab/knob-docs';
import { checkRandom } from '../../lab/random';
import { SCENARIOS } from '../../lab/scenarios';
import { parseCommandLine, positiveNumber } from './args';
import { isMysteryCommand, MYSTERY_USAGE, printMysteryStatus, runMysteryCommand } from './lab-mystery';

const USAGE = `usage: npm run lab -- <command>
  list                              the scenarios: name, what goes wrong, services, levels
  on <scenario> [--level <level>]   turn a scenario on (default level: the scenario's own)
  off <scenario>                    put its knobs back to their values at start
  reset                             put every knob of every service back to its value at start
  status                            knobs that differ from their defaults, the scenarios that are on or partly on
  check random [--requests <n>]     send the exercise's traffic, estimate both distributions from Prometheus
  knobs-doc                         regenerate the knob table in docs/lessons/knobs.md${MYSTERY_USAGE}`;

const context = (): LabContext => ({ controlToken: readControlToken(), urls: DEFAULT_URLS });

function list(): void {
  const width = Math.max(...SCENARIOS.map((s) => s.name.length));
  for (const s of SCENARIOS) {
    console.log(`${s.name.padEnd(width)}  ${s.summary}`);
    console.log(
      `${''.padEnd(width)}  services: ${s.services.join(', ')}; levels: ${Object.keys(s.levels).join(', ')} (default ${s.defaultLevel}); lesson: ${s.lesson}`,
    );
  }
}

async function main(argv: string[]): Promise<void> {
  // traffic, mystery, guess and reveal read their own options (lab/traffic.ts, lab/mystery.ts).
  if (isMysteryCommand(argv[0])) return runMysteryCommand(argv[0], argv.slice(1), context);
  const { values, positionals } = parseCommandLine(argv, {
    name: 'lab',
    usage: USAGE,
    options: { level: { type: 'string' }, requests: { type: 'string' } },
  });
  const [command, target] = positionals;
  switch (command) {
    case 'list':
      return list();
    case 'on': {
      if (!target) throw new LabError('usage: npm run lab -- on <scenario> [--level <level>]');
      const { scenario, level } = await scenarioOn(target, values.level, context());
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
      if (printMysteryStatus()) return;
      const status = await labStatus(context());
      for (const [service, knobs] of Object.entries(status.changed)) {
        const entries = Object.entries(knobs);
        console.log(
          `${service}: ${entries.length ? entries.map(([k, v]) => `${k}=${v.value} (default ${v.default})`).join(', ') : 'all knobs at their defaults'}`,
        );
      }
      console.log(`scenarios on: ${status.active.length ? status.active.map((a) => `${a.scenario} (${a.level})`).join(', ') : 'none'}`);
      for (const p of status.partial)
        console.log(
          `partly on: ${p.scenario} (${p.level}): ${p.set.join(', ')} still set; ${p.unset.join(', ')} not (npm run lab -- off ${p.scenario} puts them back)`,
        );
      return;
    }
    case 'check': {
      if (target !== 'random') throw new LabError('usage: npm run lab -- check random [--requests <n>]');
      const requests = positiveNumber('lab', 'requests', values.requests);
      const report = await checkRandom(context(), requests === undefined ? {} : { requests });
      console.log(report.text);
      if (!report.ok) process.exitCode = 1;
      return;
    }
    case 'knobs-doc':
      writeKnobsDoc();
      console.log('docs/lessons/knobs.md: knob table regenerated');
      return;
    default:
      throw new LabError(USAGE);
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(`[lab] ${error instanceof LabError ? error.message : String(error)}`);
  process.exit(error instanceof LabUsageError ? 2 : 1);
});
