// What can one gateway collector take per core, and what does a trace held by tail sampling cost
// in memory? (tools/bench/collector-bench/ does the work.)
//
//   npm run bench:collector               about 4 minutes; writes .tracelab/bench/collector.json
//   npm run bench:collector -- --quick    one round, shorter windows: for iterating
//   e.g. a longer, steadier run: npm run bench:collector -- --rounds 5 --seconds 30
import path from 'node:path';
import { runCollectorBench } from '../bench/collector-bench/index';
import type { CollectorBenchOptions } from '../bench/collector-bench/options';
import { BENCH_DIR } from '../bench/results';
import { parseCommandLine, positiveNumber, usageError } from './args';

const USAGE = `usage: npm run bench:collector -- [--quick] [options]
  --rate N (spans/s offered, default 10000)  --spans N (per trace, default 8)
  --attributes N (per span, default 12)  --batch N (spans per OTLP request, default 512)
  --waits 2,5,7 (decision_wait values, s: rate × wait must stay under the traces
  memory_limiter lets a gateway hold, which the bench prints)
  --rounds N (default 2)  --seconds N (measured window, default 10)
  --warmup N (s after the longest decision_wait)  --no-baseline  --no-keep-all
  --plan-traces N --plan-spans N --plan-wait N (the capacity example)  --out file`;

const NUMBERS = ['rate', 'spans', 'attributes', 'batch', 'rounds', 'seconds', 'warmup', 'plan-traces', 'plan-spans', 'plan-wait'] as const;
const text = { type: 'string' } as const;
const flag = { type: 'boolean', default: false } as const;
const { values } = parseCommandLine(process.argv.slice(2), {
  name: 'bench:collector',
  usage: USAGE,
  options: {
    ...(Object.fromEntries(NUMBERS.map((name) => [name, text])) as Record<(typeof NUMBERS)[number], typeof text>),
    waits: text,
    out: text,
    quick: flag,
    'no-baseline': flag,
    'no-keep-all': flag,
  },
});
const number = (name: (typeof NUMBERS)[number], fallback: number) => positiveNumber('bench:collector', name, values[name]) ?? fallback;
const numbers = (name: 'waits', fallback: number[]) => {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const list = raw.split(',').map(Number);
  if (!list.length || list.some((n) => !Number.isFinite(n) || n <= 0))
    usageError('bench:collector', `--${name} needs positive numbers, got ${raw}`);
  return list;
};

const quick = values.quick;
const options: CollectorBenchOptions = {
  rate: number('rate', 10_000),
  spansPerTrace: Math.max(2, Math.round(number('spans', 8))),
  attributes: Math.max(2, Math.round(number('attributes', 12))),
  batch: Math.round(number('batch', 512)),
  waits: numbers('waits', quick ? [2, 5] : [2, 5, 7]),
  rounds: number('rounds', quick ? 1 : 2),
  seconds: number('seconds', quick ? 6 : 10),
  warmupSeconds: number('warmup', 3),
  baseline: !values['no-baseline'],
  keepAll: !values['no-keep-all'],
  plan: { traces: number('plan-traces', 10_000), spans: number('plan-spans', 8), waitS: number('plan-wait', 10) },
  out: values.out ?? path.join(BENCH_DIR, 'collector.json'),
};

runCollectorBench(options).catch((error: unknown) => {
  console.error(`[bench:collector] ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
