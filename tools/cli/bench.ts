// What does the telemetry cost, and how fresh is it? (tools/bench/services-bench/ does the work.)
//
//   npm run bench                          the full run (about 5 minutes), writes .tracelab/bench/result.json
//   npm run bench -- --quick               one round of 5 s, no freshness: for iterating
//   npm run bench -- --ablation            instrumented with each piece turned off alone (docs/performance.md)
//   npm run bench -- --rate 200          a fixed request rate: CPU per request compared at equal load, below saturation
//   options: --rounds N --seconds N --warmup N --connections N --rate N --modes a,b --no-fallback
//            --no-freshness --freshness-only --profile (CPU profiles in .tracelab/bench/profiles) --out file
import path from 'node:path';
import { BENCH_DIR } from '../bench/results';
import { runServicesBench } from '../bench/services-bench/index';
import { selectedModes } from '../bench/services-bench/modes';
import type { ServicesBenchOptions } from '../bench/services-bench/options';
import { parseCommandLine, positiveNumber } from './args';

const USAGE = `usage: npm run bench -- [--quick | --ablation] [--rounds N] [--seconds N] [--warmup N] [--connections N] [--rate N]
       [--modes a,b] [--no-fallback] [--no-freshness] [--freshness-only] [--profile] [--out file]`;

const flag = { type: 'boolean', default: false } as const;
const text = { type: 'string' } as const;
const { values } = parseCommandLine(process.argv.slice(2), {
  name: 'bench',
  usage: USAGE,
  options: {
    quick: flag,
    ablation: flag,
    rounds: text,
    seconds: text,
    warmup: text,
    connections: text,
    rate: text,
    modes: text,
    'no-fallback': flag,
    'no-freshness': flag,
    'freshness-only': flag,
    profile: flag,
    out: text,
  },
});
const number = (name: 'rounds' | 'seconds' | 'warmup' | 'connections', fallback: number) =>
  positiveNumber('bench', name, values[name]) ?? fallback;

const short = values.quick || values.ablation;
const options: ServicesBenchOptions = {
  rounds: number('rounds', short ? 1 : 3),
  seconds: number('seconds', short ? 5 : 10),
  warmupSeconds: number('warmup', short ? 2 : 3),
  connections: number('connections', 20),
  rate: positiveNumber('bench', 'rate', values.rate),
  fallback: !values['no-fallback'] && !values.ablation && !values['freshness-only'],
  freshness: !values['no-freshness'] && !values.quick && !values.ablation,
  benchmark: !values['freshness-only'],
  profile: values.profile,
  out: values.out ?? path.join(BENCH_DIR, values.ablation ? 'ablation.json' : 'result.json'),
};

Promise.resolve()
  .then(() => runServicesBench(options, selectedModes(values.modes?.split(','), values.ablation)))
  .catch((error: unknown) => {
    console.error(`[bench] ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
