// From symptom to root cause: diagnoses a window of traffic against a baseline, from what Jaeger,
// Prometheus and VictoriaLogs hold, and prints ranked hypotheses with their evidence
// (analysis/diagnosis does the work; docs/diagnosis.md explains the kinds).
//
//   npm run diagnose [-- --since 5m --baseline 30m --service <s> --json]
//   npm run diagnose -- --from <time> --to <time> [--baseline-from <time> --baseline-to <time>]
//
// Exit codes: 0 diagnosed (healthy or not); 2 bad arguments; 3 a backend is down; 1 anything else.
import { parseArgs } from 'node:util';
import { BackendUnavailableError } from '../../analysis';
import { type Diagnosis, REPORT_CONFIDENCE, runDiagnosis, type TimeRange } from '../../analysis/diagnosis';
import { recentPeriods } from '../../analysis/diagnosis/periods';
import { URLS } from '../../local/addresses';
import { durationMs } from './args';

const USAGE = `usage: npm run diagnose -- [--since 5m] [--baseline 30m] [--service <name>] [--json]
       npm run diagnose -- --from <time> --to <time> [--baseline-from <time> --baseline-to <time>] [--json]
times: ISO 8601 (2026-12-02T10:00:00Z) or milliseconds since the epoch; durations: 30s, 5m, 2h
the window is the last --since up to 10 s ago (spans still arriving), or --from/--to; the baseline the --baseline just before it
backends: --jaeger-url, --logs-url, --prometheus-url (or JAEGER_URL, VICTORIALOGS_URL, PROMETHEUS_URL; default: the native stack)`;

/** A problem with the arguments: exit 2. */
class UsageError extends Error {}

const OPTIONS = {
  since: { type: 'string' },
  baseline: { type: 'string', default: '30m' },
  from: { type: 'string' },
  to: { type: 'string' },
  'baseline-from': { type: 'string' },
  'baseline-to': { type: 'string' },
  service: { type: 'string' },
  json: { type: 'boolean', default: false },
  'trace-budget': { type: 'string', default: '200' },
  'jaeger-url': { type: 'string', default: process.env.JAEGER_URL ?? URLS.jaeger },
  'logs-url': { type: 'string', default: process.env.VICTORIALOGS_URL ?? URLS.victorialogs },
  'prometheus-url': { type: 'string', default: process.env.PROMETHEUS_URL ?? URLS.prometheus },
  'console-url': { type: 'string', default: process.env.CONSOLE_URL ?? URLS.console },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

function duration(option: string, text: string): number {
  const ms = durationMs(text);
  if (ms === undefined) throw new UsageError(`--${option} "${text}" is not a duration: use e.g. 30s, 5m, 2h`);
  return ms;
}

/** An ISO 8601 time or epoch milliseconds. */
export function parseTime(option: string, text: string): number {
  const ms = /^\d+$/.test(text.trim()) ? Number(text) : Date.parse(text);
  if (!Number.isFinite(ms) || ms <= 0) throw new UsageError(`--${option} "${text}" is not a time: use ISO 8601 or epoch milliseconds`);
  return ms;
}

/** The window and the baseline the options name. */
export function periodsOf(
  values: Record<string, string | boolean | undefined>,
  now = Date.now(),
): { window: TimeRange; baseline: TimeRange } {
  const text = (key: string) => values[key] as string | undefined;
  if (text('since') !== undefined && (text('from') !== undefined || text('to') !== undefined))
    throw new UsageError('give --since or --from/--to, not both');
  if ((text('from') === undefined) !== (text('to') === undefined)) throw new UsageError('--from and --to go together');
  if ((text('baseline-from') === undefined) !== (text('baseline-to') === undefined))
    throw new UsageError('--baseline-from and --baseline-to go together');
  const window =
    text('from') !== undefined
      ? { fromMs: parseTime('from', text('from')!), toMs: parseTime('to', text('to')!) }
      : recentPeriods(duration('since', text('since') ?? '5m'), 0, now).window;
  const baseline =
    text('baseline-from') !== undefined
      ? { fromMs: parseTime('baseline-from', text('baseline-from')!), toMs: parseTime('baseline-to', text('baseline-to')!) }
      : { fromMs: window.fromMs - duration('baseline', text('baseline') ?? '30m'), toMs: window.fromMs };
  if (window.fromMs >= window.toMs) throw new UsageError('the window must start before it ends');
  if (baseline.fromMs >= baseline.toMs) throw new UsageError('the baseline must start before it ends');
  if (baseline.toMs > window.fromMs) throw new UsageError('the baseline must end before the window starts');
  return { window, baseline };
}

/** The `--json` shape of docs/diagnosis.md (what was read stays out of it). */
export function jsonOf(diagnosis: Diagnosis) {
  return {
    window: diagnosis.window,
    baseline: diagnosis.baseline,
    status: diagnosis.status,
    hypotheses: diagnosis.hypotheses.map((h) => ({
      rank: h.rank,
      kind: h.kind,
      service: h.service,
      operation: h.operation ?? null,
      confidence: h.confidence,
      summary: h.summary,
      evidence: h.evidence,
    })),
  };
}

/** The ranked list with its evidence, as text. */
export function renderDiagnosis(diagnosis: Diagnosis, consoleUrl: string): string {
  const { read } = diagnosis;
  const lines = [
    `window   ${diagnosis.window.from} → ${diagnosis.window.to}`,
    `baseline ${diagnosis.baseline.from} → ${diagnosis.baseline.to}`,
    `read     ${read.traces.window} + ${read.traces.baseline} traces, ${read.series} series, ${read.logs} log lines`,
    ...diagnosis.notes.map((note) => `note     ${note}`),
    '',
  ];
  if (diagnosis.hypotheses.length === 0) {
    lines.push(`healthy: no hypothesis at confidence ≥ ${REPORT_CONFIDENCE}`);
    return lines.join('\n');
  }
  lines.push(`degraded: ${diagnosis.hypotheses.length} hypothes${diagnosis.hypotheses.length === 1 ? 'is' : 'es'}, most likely first`);
  for (const h of diagnosis.hypotheses) {
    lines.push('', `${h.rank}. ${h.kind} · ${h.service}${h.operation ? ` › ${h.operation}` : ''} · confidence ${h.confidence.toFixed(2)}`);
    lines.push(`   ${h.summary}`);
    for (const pair of h.evidence.traces) {
      lines.push(
        pair.baseline_trace_id
          ? `   traces  ${consoleUrl}/trace/${pair.trace_id}/vs/${pair.baseline_trace_id}  (this window vs a usual one)`
          : `   trace   ${consoleUrl}/trace/${pair.trace_id}`,
      );
    }
    for (const query of h.evidence.queries) lines.push(`   query   ${query}`);
    for (const log of h.evidence.logs) lines.push(`   log     ${log.time} ${log.service} ${log.level}: ${log.message}`);
  }
  return lines.join('\n');
}

async function main(argv: string[]): Promise<number> {
  let parsed: ReturnType<typeof parseArgs<{ args: string[]; options: typeof OPTIONS; allowPositionals: false }>>;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: false });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values } = parsed;
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const { window, baseline } = periodsOf(values);
  const budget = Number(values['trace-budget']);
  if (!Number.isInteger(budget) || budget < 10 || budget > 5000)
    throw new UsageError(`--trace-budget "${values['trace-budget']}" must be a whole number from 10 to 5000`);
  const diagnosis = await runDiagnosis({
    jaegerUrl: values['jaeger-url'],
    prometheusUrl: values['prometheus-url'],
    logsUrl: values['logs-url'],
    window,
    baseline,
    traceBudget: budget,
    ...(values.service ? { service: values.service } : {}),
  });
  console.log(
    values.json ? JSON.stringify(jsonOf(diagnosis), null, 2) : renderDiagnosis(diagnosis, values['console-url'].replace(/\/+$/, '')),
  );
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      console.error(`diagnose: ${message}${error instanceof UsageError ? ' (npm run diagnose -- --help)' : ''}`);
      process.exitCode = error instanceof UsageError ? 2 : error instanceof BackendUnavailableError ? 3 : 1;
    },
  );
}
