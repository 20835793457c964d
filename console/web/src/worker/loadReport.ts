// Loading and analysing one trace: the trace (Jaeger) and its log lines (VictoriaLogs) through
// the console's same-origin proxy with the trace analysis library's loaders, then analyzeTrace
// and findClockSkew: the same code as `npm run why`. It runs in a Web Worker (analysis.worker.ts)
// so that a trace of 50,000 spans never freezes the page; this module has no DOM.
import {
  analyzeTrace,
  BackendUnavailableError,
  findClockSkew,
  loadTrace,
  loadTraceLogs,
  type SkewReport,
  type TraceReport,
} from '../../../../analysis';
import { GROUP_BY_OPERATION, groupStatistics, type StatisticsRow } from '../model/statistics';
import { searchKeys } from '../model/traceSearch';

const LOG_LIMIT = 5000;

/** Milliseconds since the epoch, precise and comparable between the page and a worker. */
export const nowEpochMs = () => performance.timeOrigin + performance.now();

export interface LoadedTrace {
  report: TraceReport;
  skew: SkewReport;
  /** nowEpochMs() when the trace and its logs were in hand, before analysis and drawing. */
  dataAt: number;
  /** Milliseconds the analysis took (the rest of data → paint is moving the report to the page, layout and drawing). */
  analysisMs: number;
  /** Why the log lines could not be loaded (the trace is shown without them), or undefined. */
  logsError: string | undefined;
  /** Attribute keys for the search's suggestions, most common first (computed here, off the page's thread). */
  searchKeys: string[];
  /** The statistics table's first view, by service and operation (computed here too). */
  statistics: StatisticsRow[];
}

/** A backend behind the proxy that is down reaches the library as the proxy's HTTP 502/504. */
function throughProxy(error: unknown): Error {
  if (!(error instanceof BackendUnavailableError) || !/^HTTP 50[24]/.test(error.reason))
    return error instanceof Error ? error : new Error(String(error));
  const log = error.backend === 'Jaeger' ? 'jaeger' : 'victorialogs';
  return new Error(
    `${error.backend} is not answering the console. Start the stack with \`npm start\` (or check .tracelab/logs/${log}.log).`,
  );
}

/** `origin` is the console's (the proxy's base). */
export async function loadTraceReport(traceId: string, origin: string): Promise<LoadedTrace> {
  const proxy = (name: string) => `${origin}/api/proxy/${name}`;
  const trace = await loadTrace(traceId, { jaegerUrl: proxy('jaeger') }).catch((error: unknown) => {
    throw throughProxy(error);
  });
  const logs = await loadTraceLogs(traceId, { logsUrl: proxy('logs'), trace, limit: LOG_LIMIT }).then(
    (lines) => ({ lines, error: undefined }),
    (error: unknown) => ({ lines: [], error: throughProxy(error).message }),
  );
  const dataAt = nowEpochMs();
  const report = analyzeTrace(trace, { logs: logs.lines });
  const critical = new Set(report.critical_path.map((entry) => entry.span_id));
  const skew = findClockSkew(trace, { criticalSpanIds: critical });
  const analysisMs = nowEpochMs() - dataAt;
  return {
    report,
    skew,
    dataAt,
    analysisMs,
    logsError: logs.error,
    searchKeys: searchKeys(report.spans),
    statistics: groupStatistics(report.spans, GROUP_BY_OPERATION, report.critical_path_ms),
  };
}
