// What the native stack is still building or starting (GET /api/stack/status): a line above every
// page during a first start, e.g. "Prometheus: building, about 2 min left". Gone once all is ready.
import { getJson } from '../api';
import { useAsync } from './useAsync';

const REFRESH_MS = 10_000;

interface PendingPart {
  title: string;
  state: 'building' | 'waiting to be built' | 'starting';
  secondsLeft?: number;
}

/** "about 2 min left", from the runner's build estimates. */
export function timeLeft(seconds: number | undefined): string {
  if (seconds === undefined) return '';
  if (seconds <= 0) return ', any moment now';
  if (seconds < 60) return ', under a minute left';
  return `, about ${Math.round(seconds / 60)} min left`;
}

export function StackStatusBanner() {
  const state = useAsync((signal) => getJson<{ pending: PendingPart[] }>('/api/stack/status', signal), [], REFRESH_MS);
  if (state.status !== 'ok' || !state.data.pending.length) return null;
  return (
    <section class="stack-banner" role="status" aria-label="Still building">
      <p>
        {state.data.pending.map((part, i) => (
          <span key={part.title}>
            {i ? ' · ' : ''}
            <strong>{part.title}</strong>: {part.state}
            {timeLeft(part.secondsLeft)}
          </span>
        ))}
        . The rest works already; what is sent meanwhile waits in the collector’s queue.
      </p>
    </section>
  );
}
