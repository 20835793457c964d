// "Drive traffic" on /lab: the console server sends bounded, varied predictions through the
// gateway (lab/traffic.ts, the same as `npm run lab -- traffic`) and answers with a summary.
import { useState } from 'preact/hooks';
import { postJson } from '../api';
import { formatDuration } from '../model/timeAxis';
import { Failure } from './states';

/** The summary lab/traffic.ts returns. */
export interface TrafficSummary {
  concurrency: number;
  seconds: number;
  requests: number;
  answers: Record<string, number>;
  failures: Record<string, number>;
  latencyMs: { p50: number; p95: number; p99: number } | null;
  slowest: { ms: number; traceId?: string } | null;
}

const counts = (record: Record<string, number>) =>
  Object.entries(record)
    .sort((a, b) => b[1] - a[1])
    .map(([key, n]) => `${key} ${n}`)
    .join(', ');

export function TrafficResult({ summary }: { summary: TrafficSummary }) {
  return (
    <div role="status">
      <dl class="traffic-summary" data-requests={summary.requests}>
        <dt>requests</dt>
        <dd>
          {summary.requests} from {summary.concurrency} clients in {summary.seconds} s
        </dd>
        <dt>answers</dt>
        <dd>{counts(summary.answers) || 'none'}</dd>
        {Object.keys(summary.failures).length ? (
          <>
            <dt>failed</dt>
            <dd>{counts(summary.failures)}</dd>
          </>
        ) : null}
        {summary.latencyMs ? (
          <>
            <dt>latency</dt>
            <dd>
              p50 {formatDuration(summary.latencyMs.p50)} · p95 {formatDuration(summary.latencyMs.p95)} · p99{' '}
              {formatDuration(summary.latencyMs.p99)}
            </dd>
          </>
        ) : null}
        {summary.slowest ? (
          <>
            <dt>slowest</dt>
            <dd>
              {summary.slowest.traceId ? (
                <a href={`/trace/${summary.slowest.traceId}`} class="mono" data-slowest-trace={summary.slowest.traceId}>
                  {formatDuration(summary.slowest.ms)}: trace {summary.slowest.traceId.slice(0, 12)}…
                </a>
              ) : (
                formatDuration(summary.slowest.ms)
              )}
            </dd>
          </>
        ) : null}
      </dl>
    </div>
  );
}

export function TrafficButton() {
  const [concurrency, setConcurrency] = useState(4);
  const [seconds, setSeconds] = useState(10);
  const [busy, setBusy] = useState(false);
  const [summary, setSummary] = useState<TrafficSummary | undefined>();
  const [error, setError] = useState<unknown>();
  const run = async () => {
    setBusy(true);
    setError(undefined);
    try {
      setSummary(await postJson<TrafficSummary>('/api/lab/traffic', { concurrency, seconds }));
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  const number = (set: (n: number) => void) => (event: Event) => set(Number((event.currentTarget as HTMLInputElement).value));
  return (
    <section aria-labelledby="traffic-title" class="traffic">
      <h2 id="traffic-title">Traffic</h2>
      <p class="dim">
        Most scenarios show only under load: send valid, varied predictions through the gateway (the same as{' '}
        <code>npm run lab -- traffic</code>).
      </p>
      <label>
        Clients <input type="number" min={1} max={32} value={concurrency} onInput={number(setConcurrency)} />
      </label>{' '}
      <label>
        Seconds <input type="number" min={1} max={120} value={seconds} onInput={number(setSeconds)} />
      </label>{' '}
      <button type="button" disabled={busy} onClick={() => void run()}>
        {busy ? `Driving traffic (${seconds} s)…` : 'Drive traffic'}
      </button>
      {error ? <Failure error={error} what="the traffic" /> : null}
      {summary && !busy ? <TrafficResult summary={summary} /> : null}
    </section>
  );
}
