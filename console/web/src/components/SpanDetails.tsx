// The details of one span: times, status, critical path, attributes, events and exceptions,
// links, hop gaps, its log lines and its resource. And the trace's links to other traces, both
// ways (LinkedTraces): the batch that processed a request's event, the requests a batch links to.
import type { AttributeValue, ReportSpan, SkewedSpan, TraceLinks, TraceReport } from '../../../../analysis';
import { serviceColour } from '../model/colours';
import { formatDuration } from '../model/timeAxis';
import { skewText } from '../model/traceView';

const show = (value: AttributeValue): string => (typeof value === 'string' ? value : JSON.stringify(value));

function AttributeTable({ title, attributes }: { title: string; attributes: Record<string, AttributeValue> }) {
  const entries = Object.entries(attributes).sort(([a], [b]) => a.localeCompare(b));
  if (!entries.length) return null;
  return (
    <>
      <h3>{title}</h3>
      <table>
        <tbody>
          {entries.map(([key, value]) => (
            <tr key={key}>
              <td>{key}</td>
              <td>{show(value)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

export function SpanDetails({ span, report, skew }: { span: ReportSpan; report: TraceReport; skew: SkewedSpan | undefined }) {
  const logs = report.logs.filter((l) => l.under_span_id === span.span_id);
  const gaps = report.hop_gaps.filter((g) => g.client_span_id === span.span_id || g.server_span_id === span.span_id);
  return (
    <section class="details" aria-labelledby="details-title" data-span-id={span.span_id}>
      <h2 id="details-title">
        <span class="swatch" style={{ background: serviceColour(span.service) }} aria-hidden="true" /> {span.service} · {span.operation}
      </h2>
      <table>
        <tbody>
          <tr>
            <td>span id</td>
            <td class="mono">{span.span_id}</td>
          </tr>
          <tr>
            <td>kind · status</td>
            <td>
              {span.kind} ·{' '}
              {span.status === 'error' ? (
                <span class="badge badge-error">⚠ error{span.status_message ? `: ${span.status_message}` : ''}</span>
              ) : (
                span.status
              )}
            </td>
          </tr>
          <tr>
            <td>start · duration · self</td>
            <td>
              +{formatDuration(span.start_ms)} · {formatDuration(span.duration_ms)} · self {formatDuration(span.self_ms)}
            </td>
          </tr>
          <tr>
            <td>critical path</td>
            <td>
              {span.on_critical_path
                ? `${formatDuration(span.critical_ms)} of this span is on the critical path`
                : 'not on the critical path'}
            </td>
          </tr>
          {skew ? (
            <tr data-testid="skew-details">
              <td>clock skew</td>
              <td>{skewText(skew)}</td>
            </tr>
          ) : null}
          {span.orphan ? (
            <tr>
              <td>orphan</td>
              <td>its parent {span.parent_span_id} is not in this trace: drawn as an extra root</td>
            </tr>
          ) : null}
          {span.async ? (
            <tr>
              <td>async</td>
              <td>its parent does not wait for it (not on the critical path)</td>
            </tr>
          ) : null}
        </tbody>
      </table>
      <AttributeTable title="Attributes" attributes={span.attributes} />
      {span.events.length ? (
        <>
          <h3>Events and exceptions</h3>
          <ul>
            {span.events.map((e, i) => (
              <li key={i}>
                <strong class={e.name === 'exception' ? 'sev-error' : ''}>{e.name}</strong> at +{formatDuration(e.time_ms)}{' '}
                {Object.entries(e.attributes)
                  .map(([k, v]) => `${k}=${show(v)}`)
                  .join(' · ')}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {span.links.length ? (
        <>
          <h3>Links</h3>
          <ul>
            {span.links.map((l) => (
              <li key={`${l.trace_id}-${l.span_id}`}>
                <a href={`/trace/${l.trace_id}`} class="mono">
                  {l.trace_id}
                </a>{' '}
                span {l.span_id}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {gaps.length ? (
        <>
          <h3>Hop gaps</h3>
          <ul>
            {gaps.map((g) => (
              <li key={g.client_span_id}>
                {g.from_service} → {g.to_service}: {formatDuration(g.before_ms)} before the server span, {formatDuration(g.after_ms)} after
                {g.clock_skew ? ' (clock skew: the server span sticks out of its client)' : ''}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {logs.length ? (
        <>
          <h3>Log lines of this span</h3>
          <ul>
            {logs.map((l, i) => (
              <li key={i}>
                <span class={l.severity === 'error' ? 'sev-error' : l.severity === 'warn' ? 'sev-warn' : ''}>[{l.severity}]</span> +
                {formatDuration(l.time_ms)} {l.message}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      <AttributeTable title="Resource" attributes={span.resource} />
    </section>
  );
}

/** Links across traces, both ways; nothing when the trace has none. */
export function LinkedTraces({ links }: { links: TraceLinks }) {
  const linked = [...new Set(links.links_to.flatMap((s) => s.targets.map((t) => t.trace_id)))];
  if (!links.processed_in.length && !linked.length) return null;
  return (
    <section class="linked-traces" aria-labelledby="linked-title" data-testid="linked-traces">
      <h2 id="linked-title">Linked traces</h2>
      {links.processed_in.length ? (
        <ul data-testid="processed-in">
          {links.processed_in.map((m) => (
            <li key={m.producer_span_id}>
              After the response, <strong>{m.operation}</strong>{' '}
              {m.processed_by.length ? (
                <>
                  was processed{' '}
                  {m.processed_by.map((b, i) => (
                    <span key={b.span_id}>
                      {i ? ', ' : ''}
                      {b.same_trace ? (
                        <>in this trace </>
                      ) : (
                        <>
                          in batch{' '}
                          <a href={`/trace/${b.trace_id}`} class="mono">
                            {b.trace_id}
                          </a>{' '}
                        </>
                      )}
                      ({b.service} · {b.operation})
                    </span>
                  ))}
                </>
              ) : (
                'has no processing span in Jaeger yet (not processed, or not arrived)'
              )}
            </li>
          ))}
        </ul>
      ) : null}
      {linked.length ? (
        <>
          <p>
            {links.links_to.map((s) => `${s.service} · ${s.operation}`).join(', ')} links to {linked.length} other trace(s):
          </p>
          <ul data-testid="links-to">
            {linked.map((id) => (
              <li key={id}>
                <a href={`/trace/${id}`} class="mono">
                  {id}
                </a>
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </section>
  );
}
