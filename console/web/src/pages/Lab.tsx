// /lab: the fault scenarios. Turn one on or off (the console server holds the control token and
// applies it), read its lesson beside the live panels the lesson talks about, watch the newest
// traces change, and run the `random` exercise check.
import { useState } from 'preact/hooks';
import { getJson, getText, jaeger, postJson } from '../api';
import { AsyncMarks } from '../components/AsyncMarks';
import { Markdown } from '../components/Markdown';
import { MysteryPanel } from '../components/MysteryPanel';
import { PredictionForm } from '../components/PredictionForm';
import { Empty, Failure, Loading } from '../components/states';
import { TrafficButton } from '../components/TrafficButton';
import { useAsync } from '../components/useAsync';
import { type JaegerTrace, summarizeTrace } from '../model/jaeger';
import { formatDuration } from '../model/timeAxis';
import { goldenSignalPanels, MODEL_PANELS, PanelView } from './Signals';

interface Scenario {
  name: string;
  summary: string;
  services: string[];
  lesson: string;
}
interface LabStatus {
  active: string[];
  knobs: Record<string, unknown>;
}
interface LabState {
  randomRequests: number;
  scenarios: Scenario[];
  status: LabStatus | { error: string };
}
interface RandomCheck {
  ok: boolean;
  message: string;
  estimates: { name: string; truth: number; estimate: number | null; errorPercent: number | null; ok: boolean }[];
}

const lessonName = (path: string) => path.replace(/^.*\//, '').replace(/\.md$/, '');
const LIVE_PANELS = [goldenSignalPanels('gateway')[0]!, MODEL_PANELS[0]!];

function RecentTraces() {
  const state = useAsync(
    (signal) =>
      jaeger<{ data: JaegerTrace[] | null }>(
        'traces',
        { service: 'gateway', operation: 'POST /v1/predict', limit: 10, lookback: '5m' },
        signal,
      ),
    [],
    5000,
  );
  if (state.status === 'loading') return <Loading what="recent traces" />;
  if (state.status === 'error') return <Failure error={state.error} what="recent traces" />;
  const rows = (state.data.data ?? []).map(summarizeTrace).sort((a, b) => b.startMs - a.startMs);
  if (!rows.length)
    return <Empty>No prediction in the last 5 minutes: send some requests to the gateway to see this scenario in traces.</Empty>;
  return (
    <ul class="recent-traces" aria-label="Newest prediction traces">
      {rows.map((row) => (
        <li key={row.traceId} data-trace-id={row.traceId}>
          <a href={`/trace/${row.traceId}`} class="mono">
            {new Date(row.startMs).toLocaleTimeString()} · {formatDuration(row.durationMs)}
          </a>{' '}
          {row.errorCount ? <span class="badge badge-error">⚠ error</span> : null}
          {row.fallbackReason ? (
            <span class="badge badge-fallback">↪ fallback: {row.fallbackReason}</span>
          ) : (
            <span class="badge">model</span>
          )}
          <AsyncMarks row={row} />
        </li>
      ))}
    </ul>
  );
}

function Lesson({ path }: { path: string }) {
  const state = useAsync((signal) => getText(`/api/docs/${lessonName(path)}`, signal), [path]);
  if (state.status === 'loading') return <Loading what="the lesson" />;
  if (state.status === 'error') return <Failure error={state.error} what="the lesson" />;
  return <Markdown source={state.data} />;
}

export function LabPage() {
  const [version, setVersion] = useState(0);
  const [busy, setBusy] = useState<string | undefined>();
  const [actionError, setActionError] = useState<unknown>();
  const [selected, setSelected] = useState<string | undefined>();
  const [check, setCheck] = useState<RandomCheck | undefined>();
  const lab = useAsync((signal) => getJson<LabState>('/api/lab', signal), [version], 10_000);

  const act = async (label: string, path: string) => {
    setBusy(label);
    setActionError(undefined);
    try {
      await postJson(path);
      setVersion((v) => v + 1);
    } catch (error) {
      setActionError(error);
    } finally {
      setBusy(undefined);
    }
  };
  const runCheck = async () => {
    setBusy('check');
    setActionError(undefined);
    try {
      setCheck(await postJson<RandomCheck>('/api/lab/check/random'));
    } catch (error) {
      setActionError(error);
    } finally {
      setBusy(undefined);
    }
  };

  if (lab.status === 'loading') return <Loading what="the lab" />;
  if (lab.status === 'error') return <Failure error={lab.error} what="the lab" />;
  const { scenarios, status } = lab.data;
  const active = 'active' in status ? status.active : [];
  const current = scenarios.find((s) => s.name === (selected ?? active[0])) ?? scenarios[0];

  return (
    <main class="lab">
      <h1>Fault lab</h1>
      {'error' in status ? <Failure error={new Error(status.error)} what="the lab's status" /> : null}
      {actionError ? <Failure error={actionError} what="the lab action" /> : null}
      <div class="lab-grid">
        <section aria-labelledby="scenarios-title">
          <h2 id="scenarios-title">Scenarios</h2>
          <ul class="scenarios">
            {scenarios.map((s) => {
              const on = active.includes(s.name);
              return (
                <li key={s.name} data-scenario={s.name} class={on ? 'on' : ''}>
                  <div>
                    <button type="button" class="linkish" onClick={() => setSelected(s.name)} aria-current={current?.name === s.name}>
                      <strong>{s.name}</strong>
                    </button>{' '}
                    <span class={`badge ${on ? 'badge-alert' : ''}`}>{on ? 'ON' : 'off'}</span>
                    <div class="dim">
                      {s.summary} ({s.services.join(', ')})
                    </div>
                  </div>
                  <button
                    type="button"
                    aria-pressed={on}
                    disabled={busy !== undefined}
                    onClick={() => {
                      setSelected(s.name);
                      void act(s.name, `/api/lab/scenarios/${encodeURIComponent(s.name)}/${on ? 'off' : 'on'}`);
                    }}
                  >
                    {busy === s.name ? '…' : on ? 'Turn off' : 'Turn on'}
                    <span class="sr-only"> {s.name}</span>
                  </button>
                </li>
              );
            })}
          </ul>
          <button type="button" disabled={busy !== undefined} onClick={() => void act('reset', '/api/lab/reset')}>
            Reset everything
          </button>
          <TrafficButton />
          <MysteryPanel />
          <h2>Exercise: random</h2>
          <p>
            Recover two distributions from histograms (<a href="/docs/random">the exercise</a>). The check re-seeds the exercise, sends its
            documented traffic ({lab.data.randomRequests.toLocaleString('en')} <code>/random</code> requests, about a minute) and compares
            Prometheus's estimates with the truth (within 5 %).
          </p>
          <button type="button" disabled={busy !== undefined} onClick={() => void runCheck()}>
            {busy === 'check' ? 'Checking…' : 'Check my estimates'}
          </button>
          {check ? (
            <div class="random-check" role="status">
              <p>
                <span class={`badge ${check.ok ? 'badge-ok' : 'badge-error'}`}>{check.ok ? '✓ pass' : '✗ not yet'}</span> {check.message}
              </p>
              <table>
                <thead>
                  <tr>
                    <th scope="col">estimate</th>
                    <th scope="col" class="num">
                      truth
                    </th>
                    <th scope="col" class="num">
                      from Prometheus
                    </th>
                    <th scope="col" class="num">
                      off by
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {check.estimates.map((e) => (
                    <tr key={e.name}>
                      <td>{e.name}</td>
                      <td class="num">{Number(e.truth.toPrecision(3))}</td>
                      <td class="num">{e.estimate === null ? '–' : Number(e.estimate.toPrecision(3))}</td>
                      <td class="num">
                        {e.errorPercent === null ? '–' : `${e.errorPercent.toFixed(1)} %`} {e.ok ? '✓' : '✗'}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : null}
        </section>
        <section aria-labelledby="lesson-title" class="lesson">
          <h2 id="lesson-title">Lesson{current ? `: ${current.name}` : ''}</h2>
          {current ? <Lesson path={current.lesson} /> : <Empty>No scenarios are defined.</Empty>}
        </section>
        <section aria-labelledby="live-title" class="live">
          <h2 id="live-title">Live</h2>
          {LIVE_PANELS.map((panel) => (
            <PanelView key={panel.title} panel={panel} range={900} />
          ))}
          {/* Browser traffic: a prediction traced from this page's click, for people without a terminal. */}
          <h3>Send a prediction</h3>
          <PredictionForm />
          <h3>Newest predictions</h3>
          <RecentTraces />
        </section>
      </div>
    </main>
  );
}
