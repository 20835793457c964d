// /diagnose: what changed, where, since when, and which traces show it. The console server runs
// the diagnosis (GET /api/diagnose?since=…&baseline=…&service=…) over the backends; this page shows
// its ranked hypotheses with their evidence linked: each trace beside its usual baseline trace in
// compare view, each PromQL query drawn over the baseline and the window, log lines with their
// traces. Reached from the Signals page and from each firing alert.
import type { Diagnosis, Hypothesis } from '../../../../analysis/diagnosis/types';
import { getJson, promRange, query } from '../api';
import { Empty, Failure, Loading } from '../components/states';
import { type ChartSeries, TimeChart } from '../components/TimeChart';
import { useAsync } from '../components/useAsync';
import { DIAGNOSE_BASELINE, DIAGNOSE_SINCE, diagnoseParams, queryRange, seriesLabel, traceHref } from '../model/diagnosis';
import { navigate } from '../router';
import { LINE_COLOURS, SERVICES } from './Signals';

const time = (iso: string) => new Date(iso).toLocaleTimeString();

function QueryPanel({ promql, diagnosis }: { promql: string; diagnosis: Diagnosis }) {
  const { startS, endS, stepS } = queryRange(diagnosis);
  const state = useAsync(
    async (signal): Promise<ChartSeries[]> =>
      (await promRange(promql, startS, endS, stepS, signal)).map((s, i) => ({
        label: seriesLabel(s.metric, promql),
        colour: LINE_COLOURS[i % LINE_COLOURS.length]!,
        points: (s.values ?? []).map(([t, v]) => [t, Number(v)] as [number, number]),
      })),
    [promql, startS, endS],
  );
  if (state.status === 'loading') return <Loading what={promql} />;
  if (state.status === 'error') return <Failure error={state.error} what={promql} />;
  return (
    <div class="diagnose-query" data-promql={promql}>
      <TimeChart title={promql} unit="count" series={state.data} />
      <p class="dim">
        baseline {time(diagnosis.baseline.from)}–{time(diagnosis.baseline.to)}, window {time(diagnosis.window.from)}–
        {time(diagnosis.window.to)}
      </p>
    </div>
  );
}

function HypothesisView({ hypothesis: h, diagnosis }: { hypothesis: Hypothesis; diagnosis: Diagnosis }) {
  return (
    <li class="hypothesis" data-kind={h.kind} data-service={h.service} data-rank={h.rank}>
      <h2>
        {h.rank}. <span class="badge">{h.kind}</span> {h.service}
        {h.operation ? <span class="mono"> › {h.operation}</span> : null}{' '}
        <span class="dim">confidence {Math.round(h.confidence * 100)} %</span>
      </h2>
      <p>{h.summary}</p>
      {h.evidence.traces.length ? (
        <>
          <h3>Traces</h3>
          <ul class="evidence-traces">
            {h.evidence.traces.map((pair) => (
              <li key={pair.trace_id}>
                <a href={traceHref(pair)} class="mono" data-trace-id={pair.trace_id}>
                  {pair.baseline_trace_id
                    ? `${pair.trace_id.slice(0, 12)}… beside the usual ${pair.baseline_trace_id.slice(0, 12)}… (compare)`
                    : `${pair.trace_id.slice(0, 12)}…`}
                </a>
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {h.evidence.queries.length ? (
        <>
          <h3>Metrics</h3>
          <div class="charts">
            {h.evidence.queries.map((promql) => (
              <QueryPanel key={promql} promql={promql} diagnosis={diagnosis} />
            ))}
          </div>
        </>
      ) : null}
      {h.evidence.logs.length ? (
        <>
          <h3>Log lines</h3>
          <ul class="evidence-logs">
            {h.evidence.logs.map((line, i) => (
              <li key={`${line.time}-${i}`}>
                <span class="mono">{time(line.time)}</span> <span class="badge">{line.level}</span> {line.service}: {line.message}{' '}
                {line.trace_id ? (
                  <a href={`/trace/${encodeURIComponent(line.trace_id)}`} class="mono">
                    trace {line.trace_id.slice(0, 12)}…
                  </a>
                ) : null}
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </li>
  );
}

export function DiagnosePage({ params }: { params: URLSearchParams }) {
  const chosen = diagnoseParams(params, SERVICES);
  const state = useAsync(
    (signal) => getJson<Diagnosis>(`/api/diagnose?${query({ ...chosen })}`, signal),
    [chosen.since, chosen.baseline, chosen.service],
  );
  const set = (key: string, value: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    navigate(`/diagnose?${next}`, { replace: true });
  };
  const choice = (key: string) => (event: Event) => set(key, (event.currentTarget as HTMLSelectElement).value);

  return (
    <main class="diagnose">
      <h1>Diagnose</h1>
      <fieldset class="toolbar">
        <legend class="sr-only">Window, baseline and service</legend>
        <label>
          Window: the last
          <select value={chosen.since} onChange={choice('since')}>
            {DIAGNOSE_SINCE.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
        <label>
          Baseline before the window
          <select value={chosen.baseline} onChange={choice('baseline')}>
            {DIAGNOSE_BASELINE.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
        <label>
          Service
          <select value={chosen.service ?? ''} onChange={choice('service')}>
            <option value="">all</option>
            {SERVICES.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
      </fieldset>
      {state.status === 'loading' ? <Loading what="the diagnosis (it reads traces, metrics and logs)" /> : null}
      {state.status === 'error' ? <Failure error={state.error} what="the diagnosis" /> : null}
      {state.status === 'ok' ? <DiagnosisView diagnosis={state.data} /> : null}
    </main>
  );
}

function DiagnosisView({ diagnosis }: { diagnosis: Diagnosis }) {
  const { read } = diagnosis;
  return (
    <section data-status={diagnosis.status} aria-label="Diagnosis">
      <p>
        <span class={`badge ${diagnosis.status === 'healthy' ? 'badge-ok' : 'badge-alert'}`}>{diagnosis.status}</span> window{' '}
        {time(diagnosis.window.from)}–{time(diagnosis.window.to)} against {time(diagnosis.baseline.from)}–{time(diagnosis.baseline.to)}.
        Read {read.traces.window} traces in the window and {read.traces.baseline} in the baseline, {read.series} series, {read.logs} log{' '}
        {read.logs === 1 ? 'line' : 'lines'}.
      </p>
      {diagnosis.hypotheses.length ? (
        <ol class="hypotheses">
          {diagnosis.hypotheses.map((h) => (
            <HypothesisView key={h.rank} hypothesis={h} diagnosis={diagnosis} />
          ))}
        </ol>
      ) : (
        <Empty>Healthy: no hypothesis reached the confidence to be reported; nothing changed beyond the usual.</Empty>
      )}
    </section>
  );
}
