// Why is this request slow? Explains one trace from the command line: verdict, waterfall with the
// critical path, self time, hop gaps and the trace's log lines (analysis/ does the work).
//
//   npm run why -- <trace_id> [--json] [--usual] [--no-logs]
//   npm run why -- --slowest [--since 5m] [--service gateway] [--json]
//   npm run why -- <trace_id> --vs <baseline_trace_id> [--json]
//
// Exit codes: 0 explained; 2 bad arguments, malformed or unknown trace id, no trace in the window;
// 3 a backend is down (the message says which and how to start it); 1 anything else.
import {
  analyzeTrace,
  BackendUnavailableError,
  compareTraces,
  compareWithUsual,
  findSlowestTrace,
  loadTrace,
  loadTraceLinks,
  loadTraceLogs,
  loadUsualDurations,
  MalformedTraceIdError,
  parseTraceId,
  type TraceLinks,
  type TraceLogLine,
  TraceNotFoundError,
  type TraceReport,
} from '../../analysis';
import { renderComparison, renderLinks, renderReport, renderUsual } from '../../analysis/text';
import { URLS } from '../../local/addresses';
import { durationMs, parseCommandLine } from './args';

/** The window the usual durations of --usual are measured over. */
const USUAL_WINDOW = '15m';

const USAGE = `usage: npm run why -- <trace_id> [--json] [--usual] [--no-logs]
       npm run why -- --slowest [--since 5m] [--service gateway] [--json]
       npm run why -- <trace_id> --vs <baseline_trace_id> [--json]
  --vs       compares <trace_id> (b) with a baseline trace (a), e.g. a healthy one: how much slower
             or faster it was, span by span (Δ = b − a: + is slower than the baseline)
  --usual    sets each span against its operation's usual p50/p99 over the last ${USUAL_WINDOW} (spanmetrics)
backends: --jaeger-url, --logs-url, --prometheus-url (or JAEGER_URL, VICTORIALOGS_URL, PROMETHEUS_URL; default: the native stack)`;

/** A problem with the arguments: exit 2. */
class UsageError extends Error {}

/** "5m" → ms. */
export function parseSince(text: string): number {
  const ms = durationMs(text);
  if (ms === undefined) throw new UsageError(`--since "${text}" is not a duration: use e.g. 30s, 5m, 2h`);
  return ms;
}

interface Urls {
  jaegerUrl: string;
  logsUrl: string;
  prometheusUrl: string;
}

/** A report with its span links both ways (docs/async-tracing.md). */
type LinkedReport = TraceReport & { links: TraceLinks };

/** Explains one trace; logs are optional: a down log backend becomes a warning, not a failure. */
async function explain(traceId: string, urls: Urls, withLogs: boolean): Promise<LinkedReport> {
  const trace = await loadTrace(traceId, urls);
  const links = await loadTraceLinks(trace, urls);
  let logs: TraceLogLine[] = [];
  let logWarning: string | undefined;
  if (withLogs) {
    try {
      logs = await loadTraceLogs(trace.traceId, { logsUrl: urls.logsUrl, trace });
    } catch (error) {
      if (!(error instanceof BackendUnavailableError)) throw error;
      logWarning = `logs not shown: ${error.message}`;
    }
  }
  const report = analyzeTrace(trace, { logs });
  if (logWarning) report.warnings.push(logWarning);
  return { ...report, links };
}

/** The report, then its links when it has any. */
function renderWithLinks(report: LinkedReport, color: boolean): string {
  const links = renderLinks(report.links, { color });
  return links ? `${renderReport(report, { color })}\n\n${links}` : renderReport(report, { color });
}

const OPTIONS = {
  json: { type: 'boolean', default: false },
  slowest: { type: 'boolean', default: false },
  since: { type: 'string', default: '5m' },
  service: { type: 'string', default: 'gateway' },
  vs: { type: 'string' },
  usual: { type: 'boolean', default: false },
  'no-logs': { type: 'boolean', default: false },
  'jaeger-url': { type: 'string', default: process.env.JAEGER_URL ?? URLS.jaeger },
  'logs-url': { type: 'string', default: process.env.VICTORIALOGS_URL ?? URLS.victorialogs },
  'prometheus-url': { type: 'string', default: process.env.PROMETHEUS_URL ?? URLS.prometheus },
} as const;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandLine(argv, { name: 'why', usage: USAGE, options: OPTIONS, hint: 'npm run why -- --help' });
  const urls: Urls = { jaegerUrl: values['jaeger-url'], logsUrl: values['logs-url'], prometheusUrl: values['prometheus-url'] };
  const color = process.stdout.isTTY === true && !process.env.NO_COLOR;
  const print = (json: unknown, text: () => string) => console.log(values.json ? JSON.stringify(json, null, 2) : text());
  const withLogs = !values['no-logs'];

  if (values.slowest) {
    if (positionals.length > 0 || values.vs) throw new UsageError('--slowest takes no trace id');
    const sinceMs = parseSince(values.since);
    const now = Date.now();
    const found = await findSlowestTrace({ jaegerUrl: urls.jaegerUrl, service: values.service, sinceMs, now });
    // The range searched, in UTC: a trace that "should be there" can be compared with it.
    const range = `${new Date(now - sinceMs).toISOString()} to ${new Date(now).toISOString()}`;
    if (!found) throw new UsageError(`no trace of service "${values.service}" in Jaeger in the last ${values.since} (started ${range})`);
    if (!values.json)
      console.log(`slowest trace of ${values.service} in the last ${values.since}: ${found.traceId} (${found.durationMs.toFixed(1)} ms)\n`);
    const report = await explain(found.traceId, urls, withLogs);
    print(report, () => renderWithLinks(report, color));
    return 0;
  }

  if (positionals.length !== 1)
    throw new UsageError(positionals.length === 0 ? 'give a trace id, or --slowest' : `one trace id expected, got ${positionals.length}`);
  const traceId = parseTraceId(positionals[0]!);
  if (values.vs !== undefined) {
    const baselineId = parseTraceId(values.vs);
    const [baseline, report] = await Promise.all([explain(baselineId, urls, false), explain(traceId, urls, false)]);
    const comparison = compareTraces(baseline, report);
    print(comparison, () => renderComparison(comparison, { color }));
    return 0;
  }
  const report = await explain(traceId, urls, withLogs);
  if (values.usual) {
    const usual = compareWithUsual(
      report,
      await loadUsualDurations({ prometheusUrl: urls.prometheusUrl, window: USUAL_WINDOW }),
      USUAL_WINDOW,
    );
    print({ ...report, usual }, () => `${renderWithLinks(report, color)}\n\n${renderUsual(usual, { color })}`);
    return 0;
  }
  print(report, () => renderWithLinks(report, color));
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      const known = error instanceof UsageError || error instanceof MalformedTraceIdError || error instanceof TraceNotFoundError;
      const message = error instanceof Error ? error.message : String(error);
      console.error(`why: ${message}${error instanceof UsageError ? ' (npm run why -- --help)' : ''}`);
      process.exitCode = known ? 2 : error instanceof BackendUnavailableError ? 3 : 1;
    },
  );
}
