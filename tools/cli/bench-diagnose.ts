// How often does the diagnosis name the right cause? (tools/bench/diagnose-bench/ does the work.)
//
//   npm run bench:diagnose                       every scenario at each level × 3 seeds, 6 controls, 6 pairs (~30 min)
//   npm run bench:diagnose -- --record           the same, keeping what each diagnosis read as a case
//   npm run bench:diagnose -- --offline          score the recorded cases in seconds (no stack)
import path from 'node:path';
import { SCENARIOS } from '../../lab/scenarios';
import { repoRoot, stateDir } from '../../local/paths';
import { type DiagnoseBenchOptions, offline, online } from '../bench/diagnose-bench/run';
import { parseCommandLine, usageError } from './args';

const USAGE = `usage: npm run bench:diagnose -- [options]
  --offline            score the recorded cases (no stack needed)
  --accept             with --offline: make these scores the ones the unit tests hold to
  --record             keep what each diagnosis read as a case in --cases
  --cases <dir>        recorded cases (default test/fixtures/diagnosis-cases)
  --trials <n>         seeds per scenario and level (default 3)
  --controls <n>       healthy controls (default 6)
  --only <a,b>         only these scenarios (and the pairs with one of them)
  --window <s>         seconds of traffic per trial (default 15)
  --baseline <s>       seconds of healthy traffic for the baseline (default 60)
  --concurrency <n>    requests in flight (default 4)
  --json <file>        where the results go (default .tracelab/bench-diagnose.json)`;

const NAME = 'bench:diagnose';
const flag = { type: 'boolean', default: false } as const;
const text = { type: 'string' } as const;
const { values } = parseCommandLine(process.argv.slice(2), {
  name: NAME,
  usage: USAGE,
  hint: 'npm run bench:diagnose -- --help',
  options: {
    offline: flag,
    accept: flag,
    record: flag,
    cases: text,
    trials: text,
    controls: text,
    only: text,
    window: text,
    baseline: text,
    concurrency: text,
    json: text,
  },
});

function count(name: 'trials' | 'controls' | 'window' | 'baseline' | 'concurrency', fallback: number, min: number): number {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) usageError(NAME, `--${name} needs a whole number ≥ ${min}, got ${JSON.stringify(raw)}`);
  return n;
}

const only = values.only?.split(',').filter(Boolean) ?? [];
for (const name of only) if (!SCENARIOS.some((s) => s.name === name)) usageError(NAME, `unknown scenario "${name}" in --only`);
if (values.offline && values.record) usageError(NAME, '--offline reads the recorded cases; --record writes them: choose one');
if (values.accept && !values.offline) usageError(NAME, '--accept goes with --offline (a recording accepts its own scores)');

const options: DiagnoseBenchOptions = {
  offline: values.offline,
  accept: values.accept,
  record: values.record,
  cases: path.resolve(repoRoot, values.cases ?? path.join('test', 'fixtures', 'diagnosis-cases')),
  trials: count('trials', 3, 1),
  controls: count('controls', 6, 0),
  only,
  windowS: count('window', 15, 5),
  baselineS: count('baseline', 60, 10),
  concurrency: count('concurrency', 4, 1),
  json: path.resolve(repoRoot, values.json ?? path.join(stateDir, 'bench-diagnose.json')),
};

Promise.resolve()
  .then(() => (options.offline ? offline(options) : online(options)))
  .catch((error: unknown) => {
    console.error(`[${NAME}] ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
