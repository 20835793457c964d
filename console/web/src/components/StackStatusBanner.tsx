// What the native stack is still building or starting (GET /api/stack/status): a line above every
// page during a first start, e.g. "Prometheus: building, about 2 min left". Gone once all is ready.
import { getJson } from '../api';
import { type PendingPart, timeLeft } from '../model/stackStatus';
import { useAsync } from './useAsync';

const REFRESH_MS = 10_000;

export function StackStatusBanner() {
  const state = useAsync((signal) => getJson<{ pending: PendingPart[] }>('/api/stack/status', signal), [], REFRESH_MS);
  if (state.status !== 'ok' || !state.data.pending.length) return null;
  return (
    <section class="stack-banner" role="status" aria-label="Still building">
      <p>
        The stack is still starting (a first start builds each backend once; what is sent meanwhile waits in the collector’s queue):{' '}
        {state.data.pending.map((part, i) => (
          <span key={part.title}>
            {i ? ' · ' : ''}
            <strong>{part.title}</strong>: {part.state}
            {timeLeft(part.secondsLeft)}
          </span>
        ))}
      </p>
    </section>
  );
}
