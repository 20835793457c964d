// The asynchronous side of a trace in a list row: the messages it sent (processed after the
// response, often in another trace) and the other traces it links to (a batch consumer's links).
import type { TraceSummary } from '../model/jaeger';

export function AsyncMarks({ row }: { row: Pick<TraceSummary, 'messagesSent' | 'linkedTraceCount'> }) {
  return (
    <>
      {row.messagesSent ? (
        <span class="badge badge-async" title="Producer spans: what they sent is processed after the response" data-testid="mark-sent">
          ✉ {row.messagesSent} message{row.messagesSent > 1 ? 's' : ''} sent
        </span>
      ) : null}
      {row.linkedTraceCount ? (
        <span class="badge badge-links" title="Span links to other traces: open the trace to follow them" data-testid="mark-links">
          🔗 links {row.linkedTraceCount} trace{row.linkedTraceCount > 1 ? 's' : ''}
        </span>
      ) : null}
    </>
  );
}
