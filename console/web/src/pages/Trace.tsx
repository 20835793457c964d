// /trace/<id>: one trace explained. The trace (Jaeger) and its log lines (VictoriaLogs) are
// fetched once through the console's proxy and analysed in a Web Worker by the trace analysis
// library (the same code as `npm run why`): verdict, waterfall with critical path, span
// details, self time, hop gaps, logs. No backend call per span.
import { useEffect, useLayoutEffect, useMemo, useState } from 'preact/hooks';
import { loadTraceLinks, MalformedTraceIdError, type TraceReport } from '../../../../analysis';
import { LinkedTraces, SpanDetails } from '../components/SpanDetails';
import { Failure, Loading } from '../components/states';
import { TraceSearchBar } from '../components/TraceSearchBar';
import { HopGapTable, LogTable, StatisticsTable } from '../components/TraceTables';
import { TraceWarnings } from '../components/TraceWarnings';
import { useAsync } from '../components/useAsync';
import { useTraceSearch } from '../components/useTraceSearch';
import { Waterfall } from '../components/Waterfall';
import { meetServices, serviceColour } from '../model/colours';
import { GROUP_BY_OPERATION } from '../model/statistics';
import { formatDuration } from '../model/timeAxis';
import { waterfallOf } from '../model/traceView';
import { navigate } from '../router';
import { loadTraceInWorker } from '../worker/analysisClient';
import { type LoadedTrace, nowEpochMs } from '../worker/loadReport';

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

/** The trace's links to other traces, both ways, looked up once it is shown (they never hold it up). */
function TraceLinksPanel({ report }: { report: TraceReport }) {
  const state = useAsync(
    () =>
      loadTraceLinks(
        {
          traceId: report.trace_id,
          startEpochMs: Date.parse(report.start_time),
          spans: report.spans.map((s) => ({
            spanId: s.span_id,
            parentId: s.parent_id,
            service: s.service,
            name: s.operation,
            kind: s.kind,
            attributes: s.attributes,
            links: s.links.map((l) => ({ traceId: l.trace_id, spanId: l.span_id })),
          })),
        },
        { jaegerUrl: `${location.origin}/api/proxy/jaeger` },
      ),
    [report.trace_id],
  );
  return state.status === 'ok' ? <LinkedTraces links={state.data} /> : null;
}

function TraceView({ loaded, params }: { loaded: LoadedTrace; params: URLSearchParams }) {
  const { report } = loaded;
  const model = useMemo(() => {
    meetServices(report.services); // colour slots in the trace's order, before anything is drawn
    return waterfallOf(report, loaded.skew.spans);
  }, [loaded]);
  const [selected, setSelected] = useState<string | undefined>(report.critical_path.at(-1)?.span_id ?? report.roots[0]);
  const selectedSpan = report.spans.find((s) => s.span_id === selected);
  const [paintMs, setPaintMs] = useState<number | undefined>();
  const search = useTraceSearch(report, loaded.searchKeys, params, setSelected);

  // Time from data in hand to the first full paint: the frame after the first commit.
  useLayoutEffect(() => {
    requestAnimationFrame(() =>
      setTimeout(() => {
        const ms = nowEpochMs() - loaded.dataAt;
        setPaintMs(ms);
        console.info(
          `[console] trace ${report.trace_id}: ${report.span_count} spans drawn ${ms.toFixed(1)} ms after the data arrived (analysis ${loaded.analysisMs.toFixed(1)} ms)`,
        );
      }, 0),
    );
  }, [loaded]);

  return (
    <main
      data-render-ms={paintMs?.toFixed(1)}
      data-analysis-ms={loaded.analysisMs.toFixed(1)}
      data-search-ms={search.timing?.ms.toFixed(1)}
      data-search-seq={search.timing?.seq}
      data-search-ready={search.ready}
      data-trace-id={report.trace_id}
    >
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
      <TraceLinksPanel report={report} />
      {loaded.skew.critical_path_note ? (
        <p class="hint" data-testid="skew-note">
          <span class="badge badge-skew">⏱</span> {loaded.skew.critical_path_note}.
        </p>
      ) : null}
      {loaded.logsError ? (
        <Failure error={new Error(loaded.logsError)} what="the trace's log lines (the waterfall is shown without them)" />
      ) : null}
      <TraceSearchBar
        query={search.query}
        keys={search.keys}
        count={search.count}
        current={search.current}
        criticalOnly={search.criticalOnly}
        onQuery={search.setQuery}
        onStep={search.step}
        onCriticalOnly={search.setCriticalOnly}
      />
      <div class="trace-grid">
        <Waterfall
          model={model}
          logs={report.logs}
          selected={selected}
          onSelect={setSelected}
          matches={search.matches}
          criticalOnly={search.criticalOnly}
          focus={search.focus}
        />
        {selectedSpan ? (
          <SpanDetails span={selectedSpan} report={report} skew={loaded.skew.spans.find((s) => s.span_id === selectedSpan.span_id)} />
        ) : null}
      </div>
      <div class="tables">
        <StatisticsTable
          report={report}
          keys={search.keys}
          groupBy={params.get('group') ?? GROUP_BY_OPERATION}
          byOperation={loaded.statistics}
        />
        <HopGapTable report={report} />
      </div>
      <LogTable report={report} onSelect={setSelected} />
      <CompareForm traceId={report.trace_id} />
    </main>
  );
}

export function TracePage({ traceId, params }: { traceId: string; params: URLSearchParams }) {
  const state = useAsync(() => loadTraceInWorker(traceId), [traceId]);
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
  return <TraceView loaded={state.data} params={params} />;
}
