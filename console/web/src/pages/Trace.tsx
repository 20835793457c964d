// /trace/<id>: one trace explained. The trace (Jaeger) and its log lines (VictoriaLogs) are
// fetched once through the console's proxy and analysed in the browser by the trace analysis
// library (the same code as `npm run why`): verdict, waterfall with critical path, span
// details, self time, hop gaps, logs. No backend call per span.
import { useEffect, useLayoutEffect, useMemo, useState } from 'preact/hooks';
import {
  analyzeTrace,
  BackendUnavailableError,
  loadTrace,
  loadTraceLogs,
  MalformedTraceIdError,
  type TraceReport,
} from '../../../../analysis';
import { SpanDetails } from '../components/SpanDetails';
import { Failure, Loading } from '../components/states';
import { TraceWarnings } from '../components/TraceWarnings';
import { useAsync } from '../components/useAsync';
import { Waterfall } from '../components/Waterfall';
import { meetServices, serviceColour } from '../model/colours';
import { formatDuration } from '../model/timeAxis';
import { waterfallOf } from '../model/traceView';
import { navigate } from '../router';

const LOG_LIMIT = 5000;
/** The backends, through the console server's same-origin read-only proxy. */
const proxy = (name: string) => `${location.origin}/api/proxy/${name}`;

export interface LoadedTrace {
  report: TraceReport;
  /** performance.now() when the trace and its logs were in hand, before analysis and drawing. */
  dataAt: number;
  /** Milliseconds the analysis took (the rest of data → paint is layout and drawing). */
  analysisMs: number;
  logsError: unknown;
}

/** A backend behind the proxy that is down reaches the library as the proxy's HTTP 502/504. */
function throughProxy(error: unknown): unknown {
  if (!(error instanceof BackendUnavailableError) || !/^HTTP 50[24]/.test(error.reason)) return error;
  const log = error.backend === 'Jaeger' ? 'jaeger' : 'victorialogs';
  return new Error(
    `${error.backend} is not answering the console. Start the stack with \`npm start\` (or check .tracelab/logs/${log}.log).`,
  );
}

/** Loads a trace and its log lines with the trace analysis library's loaders, and analyses it. */
export async function loadTraceReport(traceId: string): Promise<LoadedTrace> {
  const trace = await loadTrace(traceId, { jaegerUrl: proxy('jaeger') }).catch((error: unknown) => {
    throw throughProxy(error);
  });
  const logs = await loadTraceLogs(traceId, { logsUrl: proxy('logs'), trace, limit: LOG_LIMIT }).then(
    (lines) => ({ lines, error: undefined as unknown }),
    (error: unknown) => ({ lines: [], error: throughProxy(error) }),
  );
  const dataAt = performance.now();
  const report = analyzeTrace(trace, { logs: logs.lines });
  return { report, dataAt, analysisMs: performance.now() - dataAt, logsError: logs.error };
}

function CompareForm({ traceId }: { traceId: string }) {
  return (
    <form
      class="search"
      aria-label="Compare with another trace"
      onSubmit={(event) => {
        event.preventDefault();
        const other = String(new FormData(event.currentTarget as HTMLFormElement).get('other') ?? '').trim();
        if (other) navigate(`/trace/${traceId}/vs/${other}`);
      }}
    >
      <label>
        Compare with trace
        <input name="other" size={34} placeholder="another trace id" required pattern="[0-9a-fA-F]{1,32}" />
      </label>
      <button type="submit">Compare</button>
    </form>
  );
}

function TraceView({ loaded }: { loaded: LoadedTrace }) {
  const { report } = loaded;
  const model = useMemo(() => {
    meetServices(report.services); // colour slots in the trace's order, before anything is drawn
    return waterfallOf(report);
  }, [report]);
  const [selected, setSelected] = useState<string | undefined>(report.critical_path.at(-1)?.span_id ?? report.roots[0]);
  const selectedSpan = report.spans.find((s) => s.span_id === selected);
  const [paintMs, setPaintMs] = useState<number | undefined>();

  // Time from data in hand to the first full paint: the frame after the first commit.
  useLayoutEffect(() => {
    requestAnimationFrame(() =>
      setTimeout(() => {
        const ms = performance.now() - loaded.dataAt;
        setPaintMs(ms);
        console.info(
          `[console] trace ${report.trace_id}: ${report.span_count} spans drawn ${ms.toFixed(1)} ms after the data arrived (analysis ${loaded.analysisMs.toFixed(1)} ms)`,
        );
      }, 0),
    );
  }, [loaded]);

  return (
    <main data-render-ms={paintMs?.toFixed(1)} data-analysis-ms={loaded.analysisMs.toFixed(1)} data-trace-id={report.trace_id}>
      <div class="trace-head">
        <h1>
          Trace <span class="mono">{report.trace_id}</span>
        </h1>
        <span>
          {formatDuration(report.duration_ms)} · {report.span_count} spans · started {new Date(report.start_time).toLocaleString()}
        </span>
        <span>
          {report.services.map((s) => (
            <span key={s} class="service-chip" style={{ borderColor: serviceColour(s) }}>
              <span class="swatch" style={{ background: serviceColour(s) }} aria-hidden="true" />
              {s}
            </span>
          ))}
        </span>
      </div>
      <p class="verdict" data-testid="verdict">
        {report.verdict}
      </p>
      <TraceWarnings report={report} onSelect={setSelected} />
      {loaded.logsError ? <Failure error={loaded.logsError} what="the trace's log lines (the waterfall is shown without them)" /> : null}
      <div class="trace-grid">
        <Waterfall model={model} logs={report.logs} selected={selected} onSelect={setSelected} />
        {selectedSpan ? <SpanDetails span={selectedSpan} report={report} /> : null}
      </div>
      <div class="tables">
        <section>
          <h2>Self time by operation</h2>
          <table class="self-time">
            <thead>
              <tr>
                <th scope="col">service · operation</th>
                <th scope="col" class="num">
                  count
                </th>
                <th scope="col" class="num">
                  total
                </th>
                <th scope="col" class="num">
                  self
                </th>
                <th scope="col" class="num">
                  on critical path
                </th>
              </tr>
            </thead>
            <tbody>
              {report.self_time.map((row) => (
                <tr key={`${row.service}-${row.operation}`}>
                  <td>
                    <span class="swatch" style={{ background: serviceColour(row.service) }} aria-hidden="true" /> {row.service} ·{' '}
                    {row.operation}
                  </td>
                  <td class="num">{row.count}</td>
                  <td class="num">{formatDuration(row.total_ms)}</td>
                  <td class="num">{formatDuration(row.self_ms)}</td>
                  <td class="num">
                    {formatDuration(row.critical_ms)} ({(row.share * 100).toFixed(0)} %)
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
        <section>
          <h2>Hop gaps (on the wire and in queues)</h2>
          {report.hop_gaps.length ? (
            <table class="hop-gaps">
              <thead>
                <tr>
                  <th scope="col">client → server</th>
                  <th scope="col" class="num">
                    client
                  </th>
                  <th scope="col" class="num">
                    server
                  </th>
                  <th scope="col" class="num">
                    before
                  </th>
                  <th scope="col" class="num">
                    after
                  </th>
                </tr>
              </thead>
              <tbody>
                {report.hop_gaps.map((g) => (
                  <tr key={g.client_span_id}>
                    <td>
                      {g.from_service} → {g.to_service}
                      {g.clock_skew ? <span class="badge badge-error">clock skew</span> : null}
                    </td>
                    <td class="num">{formatDuration(g.client_ms)}</td>
                    <td class="num">{formatDuration(g.server_ms)}</td>
                    <td class="num">{formatDuration(g.before_ms)}</td>
                    <td class="num">{formatDuration(g.after_ms)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <p class="hint">No client span with a server span of another service under it.</p>
          )}
        </section>
      </div>
      <section>
        <h2>Log lines ({report.logs.length})</h2>
        {report.logs.length ? (
          <table class="logs">
            <thead>
              <tr>
                <th scope="col" class="num">
                  at
                </th>
                <th scope="col">service</th>
                <th scope="col">level</th>
                <th scope="col">message</th>
                <th scope="col">span</th>
              </tr>
            </thead>
            <tbody>
              {report.logs.map((l, i) => (
                <tr key={i} data-log-span-id={l.under_span_id ?? ''}>
                  <td class="num">{formatDuration(l.time_ms)}</td>
                  <td>{l.service}</td>
                  <td class={l.severity === 'error' ? 'sev-error' : l.severity === 'warn' ? 'sev-warn' : ''}>{l.severity}</td>
                  <td>{l.message}</td>
                  <td>
                    {l.under_span_id ? (
                      <button type="button" class="linkish mono" onClick={() => setSelected(l.under_span_id)}>
                        {l.under_span_id}
                      </button>
                    ) : (
                      '–'
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <p class="hint">
            No log lines carry this trace's id (VictoriaLogs, <code>trace_id:{report.trace_id}</code>). Lines arrive a second or two after
            the request: reload to see them.
          </p>
        )}
      </section>
      <CompareForm traceId={report.trace_id} />
    </main>
  );
}

export function TracePage({ traceId }: { traceId: string }) {
  const state = useAsync(() => loadTraceReport(traceId), [traceId]);
  useEffect(() => scrollTo(0, 0), [traceId]);
  if (state.status === 'loading') return <Loading what={`trace ${traceId}`} />;
  if (state.status === 'error') {
    const error =
      state.error instanceof MalformedTraceIdError ? new Error(`${state.error.message}: a trace id is 32 hex digits.`) : state.error;
    return (
      <main>
        <h1>Trace {traceId}</h1>
        <Failure error={error} what={`trace ${traceId}`} />
        <p>
          Find one from <a href="/traces">the trace search</a>.
        </p>
      </main>
    );
  }
  return <TraceView loaded={state.data} />;
}
