// Mystery mode on /lab: start a hidden scenario (or none, or two), guess its cause as a kind and a
// service from two selects, then reveal it; the score history is kept by the console server in
// the lab's state folder (the same files as `npm run lab -- mystery | guess | reveal`).
import { useState } from 'preact/hooks';
import type { Diagnosis } from '../../../../analysis/diagnosis/types';
import { getJson, postJson } from '../api';
import { Failure, Loading } from './states';
import { TrafficResult, type TrafficSummary } from './TrafficButton';
import { useAsync } from './useAsync';

interface Cause {
  kind: string;
  service: string;
}
interface GuessResult {
  guess: string;
  points: number;
  matches: { cause: Cause; match: 'exact' | 'kind' | 'service' | 'none' }[];
}
interface Explanation {
  scenario: string;
  level: string;
  description: string;
  summary: string;
  cause: Cause;
  lesson: string;
}
interface HistoryEntry {
  startedAt: string;
  answer: { scenario: string; level: string }[];
  guess: string | null;
  points: number;
}
interface MysteryState {
  status: { active: boolean; startedAt?: string; guessed?: GuessResult };
  history: HistoryEntry[];
  vocabulary: { kinds: string[]; services: string[]; scenarios: string[] };
}
/** What the last action answered beyond the state: traffic, a scored guess, or the reveal. */
interface Outcome {
  traffic?: TrafficSummary;
  result?: GuessResult;
  answer?: Explanation[];
  diagnosis?: Diagnosis | null;
  unavailable?: string | null;
  guessed?: GuessResult | null;
}

const MATCH_TEXT = {
  exact: 'right kind and service',
  kind: 'right kind, wrong service',
  service: 'right service, wrong kind',
  none: 'missed',
};
const lessonName = (path: string) => path.replace(/^.*\//, '').replace(/\.md$/, '');
const time = (iso: string) => new Date(iso).toLocaleString();

function Answer({ answer }: { answer: Explanation[] }) {
  if (!answer.length) return <p data-answer="healthy">It was healthy: no scenario was on; what you saw is the system’s usual behaviour.</p>;
  return (
    <ul class="mystery-answer">
      {answer.map((a) => (
        <li key={a.scenario} data-answer={a.scenario}>
          It was <strong>{a.scenario}</strong> ({a.level}: {a.description}): {a.summary}. Key:{' '}
          <code>
            {a.cause.kind} on {a.cause.service}
          </code>
          . <a href={`/docs/${lessonName(a.lesson)}`}>The lesson</a>
        </li>
      ))}
    </ul>
  );
}

function DiagnosisFound({ diagnosis, unavailable }: { diagnosis: Diagnosis | null; unavailable: string | null }) {
  if (!diagnosis) return <p class="dim">Diagnosis: not available ({unavailable ?? 'a backend did not answer'}).</p>;
  if (!diagnosis.hypotheses.length) return <p>The diagnosis over the mystery’s window: {diagnosis.status}, no hypothesis reported.</p>;
  return (
    <>
      <p>The diagnosis over the mystery’s window ({diagnosis.status}):</p>
      <ol>
        {diagnosis.hypotheses.slice(0, 3).map((h) => (
          <li key={h.rank}>
            {h.kind} on {h.service}
            {h.operation ? ` (${h.operation})` : ''}, confidence {h.confidence.toFixed(2)}: {h.summary}
          </li>
        ))}
      </ol>
    </>
  );
}

function History({ entries }: { entries: HistoryEntry[] }) {
  if (!entries.length) return <p class="dim">No mystery played yet.</p>;
  const total = entries.reduce((sum, e) => sum + e.points, 0);
  return (
    <>
      <p>
        {entries.length} played, {total} of {entries.length} points
      </p>
      <table class="mystery-history" aria-label="Mystery score history">
        <thead>
          <tr>
            <th scope="col">started</th>
            <th scope="col">guess</th>
            <th scope="col" class="num">
              points
            </th>
            <th scope="col">it was</th>
          </tr>
        </thead>
        <tbody>
          {entries
            .slice(-10)
            .reverse()
            .map((e) => (
              <tr key={e.startedAt}>
                <td>{time(e.startedAt)}</td>
                <td>{e.guess ?? '(no guess)'}</td>
                <td class="num">{e.points}</td>
                <td>{e.answer.length ? e.answer.map((a) => `${a.scenario} (${a.level})`).join(' + ') : 'healthy'}</td>
              </tr>
            ))}
        </tbody>
      </table>
    </>
  );
}

/**
 * Keeps its own state: the lab page's scenario list catches up on its next refresh (re-rendering
 * the page from here would unmount this panel and lose the answer it shows).
 */
export function MysteryPanel() {
  const [version, setVersion] = useState(0);
  const [busy, setBusy] = useState<string | undefined>();
  const [error, setError] = useState<unknown>();
  const [outcome, setOutcome] = useState<Outcome | undefined>();
  const [seconds, setSeconds] = useState(30);
  const [causes, setCauses] = useState<Cause[]>([
    { kind: '', service: '' },
    { kind: '', service: '' },
  ]);
  const state = useAsync((signal) => getJson<MysteryState>('/api/lab/mystery', signal), [version]);

  const act = async (label: string, path: string, body: unknown = {}) => {
    setBusy(label);
    setError(undefined);
    try {
      setOutcome(await postJson<Outcome>(path, body));
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(undefined);
      setVersion((v) => v + 1);
    }
  };

  if (state.status === 'loading') return <Loading what="the mystery" />;
  if (state.status === 'error') return <Failure error={state.error} what="the mystery" />;
  const { status, history, vocabulary } = state.data;
  const choose = (index: number, field: keyof Cause) => (event: Event) => {
    const value = (event.currentTarget as HTMLSelectElement).value;
    setCauses((current) => current.map((cause, i) => (i === index ? { ...cause, [field]: value } : cause)));
  };
  const named = causes.filter((cause) => cause.kind && cause.service);

  return (
    <section aria-labelledby="mystery-title" class="mystery" data-mystery={status.active ? (status.guessed ? 'guessed' : 'on') : 'off'}>
      <h2 id="mystery-title">Mystery</h2>
      {error ? <Failure error={error} what="the mystery action" /> : null}
      {!status.active ? (
        <>
          <p class="dim">
            The lab turns on a hidden scenario at a hidden level (sometimes none, sometimes two at once) and drives traffic. Find the cause
            in the telemetry, then name it as a kind and a service.
          </p>
          <label>
            Traffic seconds{' '}
            <input type="number" min={1} max={120} value={seconds} onInput={(e) => setSeconds(Number(e.currentTarget.value))} />
          </label>{' '}
          <button type="button" disabled={busy !== undefined} onClick={() => void act('start', '/api/lab/mystery/start', { seconds })}>
            {busy === 'start' ? `Starting, traffic for ${seconds} s…` : 'Start a mystery'}
          </button>
        </>
      ) : (
        <>
          <p>
            <span class="badge badge-alert">MYSTERY</span> on since {time(status.startedAt!)}: the scenarios above are hidden until the
            reveal.
          </p>
          {outcome?.traffic ? <TrafficResult summary={outcome.traffic} /> : null}
          {!status.guessed ? (
            <form
              class="mystery-guess"
              aria-label="Your guess"
              onSubmit={(event) => {
                event.preventDefault();
                void act('guess', '/api/lab/mystery/guess', { causes: named });
              }}
            >
              {causes.map((cause, i) => (
                <fieldset key={i} class="mystery-cause">
                  <legend>{i === 0 ? 'The cause' : 'And a second cause (optional: there may be two)'}</legend>
                  <label>
                    Kind{' '}
                    <select name={`kind-${i}`} value={cause.kind} onChange={choose(i, 'kind')} required={i === 0}>
                      <option value="">{i === 0 ? 'choose…' : 'none'}</option>
                      {vocabulary.kinds.map((k) => (
                        <option key={k}>{k}</option>
                      ))}
                    </select>
                  </label>{' '}
                  <label>
                    Service{' '}
                    <select name={`service-${i}`} value={cause.service} onChange={choose(i, 'service')} required={i === 0}>
                      <option value="">{i === 0 ? 'choose…' : 'none'}</option>
                      {vocabulary.services.map((s) => (
                        <option key={s}>{s}</option>
                      ))}
                    </select>
                  </label>
                </fieldset>
              ))}
              <button type="submit" disabled={busy !== undefined || !causes[0]!.kind || !causes[0]!.service}>
                Guess
              </button>{' '}
              <button
                type="button"
                disabled={busy !== undefined}
                onClick={() => void act('guess', '/api/lab/mystery/guess', { healthy: true })}
              >
                Nothing is wrong
              </button>
            </form>
          ) : (
            <div class="mystery-result" role="status" data-points={status.guessed.points}>
              <p>
                Your guess: <strong>{status.guessed.guess}</strong> → {status.guessed.points} point(s)
              </p>
              <ul>
                {status.guessed.matches.map((m) => (
                  <li key={`${m.cause.kind}-${m.cause.service}`}>
                    {m.cause.kind} on {m.cause.service}: {MATCH_TEXT[m.match]}
                  </li>
                ))}
              </ul>
              {outcome?.answer && outcome.result ? (
                <>
                  <Answer answer={outcome.answer} />
                  <DiagnosisFound diagnosis={outcome.diagnosis ?? null} unavailable={outcome.unavailable ?? null} />
                </>
              ) : null}
            </div>
          )}
          <button type="button" disabled={busy !== undefined} onClick={() => void act('reveal', '/api/lab/mystery/reveal')}>
            {busy === 'reveal' ? 'Revealing…' : 'Reveal and end'}
          </button>
        </>
      )}
      {!status.active && outcome?.answer && !outcome.result ? (
        <div class="mystery-reveal" role="status">
          <p>
            {outcome.guessed ? `You guessed ${outcome.guessed.guess} (${outcome.guessed.points} point(s)).` : 'No guess: 0 points.'} Every
            knob is back to its default.
          </p>
          <Answer answer={outcome.answer} />
        </div>
      ) : null}
      <h3>Score history</h3>
      <History entries={history} />
    </section>
  );
}
