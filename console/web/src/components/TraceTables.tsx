// The tables under the waterfall: statistics grouped by service, operation or any attribute
// key; hop gaps between services; all of the trace's log lines in time order.
import { useMemo } from 'preact/hooks';
import type { TraceReport } from '../../../../analysis';
import { serviceColour } from '../model/colours';
import { GROUP_BY_OPERATION, GROUP_BY_SERVICE, groupStatistics, type StatisticsRow } from '../model/statistics';
import { formatDuration } from '../model/timeAxis';
import { navigate } from '../router';

function setGroup(groupBy: string): void {
  const url = new URL(location.href);
  if (groupBy === GROUP_BY_OPERATION) url.searchParams.delete('group');
  else url.searchParams.set('group', groupBy);
  navigate(url.pathname + url.search, { replace: true });
}

export function StatisticsTable({
  report,
  keys,
  groupBy,
  byOperation,
}: {
  report: TraceReport;
  keys: string[];
  groupBy: string;
  /** The rows by service and operation, already grouped (by the analysis worker). */
  byOperation: StatisticsRow[];
}) {
  const rows = useMemo(
    () => (groupBy === GROUP_BY_OPERATION ? byOperation : groupStatistics(report.spans, groupBy, report.critical_path_ms)),
    [report, groupBy, byOperation],
  );
  const heading = groupBy === GROUP_BY_SERVICE ? 'service' : groupBy === GROUP_BY_OPERATION ? 'service · operation' : groupBy;
  return (
    <section>
      <h2>Time by {heading}</h2>
      <label>
        Group by{' '}
        <select name="group" value={groupBy} onChange={(event) => setGroup((event.currentTarget as HTMLSelectElement).value)}>
          <option value={GROUP_BY_OPERATION}>service · operation</option>
          <option value={GROUP_BY_SERVICE}>service</option>
          <optgroup label="attribute">
            {keys.map((key) => (
              <option key={key} value={key}>
                {key}
              </option>
            ))}
          </optgroup>
        </select>
      </label>
      <table class="self-time" data-group-by={groupBy}>
        <thead>
          <tr>
            <th scope="col">{heading}</th>
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
          {rows.map((row) => (
            <tr key={row.label} data-group={row.label}>
              <td>
                {row.service ? <span class="swatch" style={{ background: serviceColour(row.service) }} aria-hidden="true" /> : null}{' '}
                {row.label}
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
  );
}

export function HopGapTable({ report }: { report: TraceReport }) {
  return (
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
  );
}

export function LogTable({ report, onSelect }: { report: TraceReport; onSelect: (spanId: string) => void }) {
  return (
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
                    <button type="button" class="linkish mono" onClick={() => onSelect(l.under_span_id!)}>
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
          No log lines carry this trace's id (VictoriaLogs, <code>trace_id:{report.trace_id}</code>). Lines arrive a second or two after the
          request: reload to see them.
        </p>
      )}
    </section>
  );
}
