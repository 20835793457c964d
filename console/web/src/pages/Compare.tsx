// /trace/<a>/vs/<b>: two traces side by side, compared by the trace analysis library: which
// spans got slower or faster (matched by their place in the tree), and what exists in one only.
import { compareTraces, type SpanDelta } from '../../../../analysis';
import { Failure, Loading } from '../components/states';
import { useAsync } from '../components/useAsync';
import { serviceColour } from '../model/colours';
import { formatDuration } from '../model/timeAxis';
import { loadTraceInWorker } from '../worker/analysisClient';

const signed = (ms: number | undefined) => (ms === undefined ? '–' : `${ms >= 0 ? '+' : '−'}${formatDuration(Math.abs(ms))}`);

function DeltaTable({ title, rows }: { title: string; rows: SpanDelta[] }) {
  if (!rows.length) return null;
  return (
    <section>
      <h2>{title}</h2>
      <table class="compare">
        <thead>
          <tr>
            <th scope="col">span (place in the tree)</th>
            <th scope="col" class="num">
              A
            </th>
            <th scope="col" class="num">
              B
            </th>
            <th scope="col" class="num">
              B − A
            </th>
            <th scope="col" class="num">
              self B − A
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.path}>
              <td>
                <span class="swatch" style={{ background: serviceColour(row.service) }} aria-hidden="true" /> {row.path}
              </td>
              <td class="num">{row.a_ms === undefined ? '–' : formatDuration(row.a_ms)}</td>
              <td class="num">{row.b_ms === undefined ? '–' : formatDuration(row.b_ms)}</td>
              <td class={`num ${row.delta_ms !== undefined && row.delta_ms > 0 ? 'sev-error' : ''}`}>{signed(row.delta_ms)}</td>
              <td class="num">{signed(row.self_delta_ms)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

export function ComparePage({ a, b }: { a: string; b: string }) {
  const state = useAsync(async () => {
    const [left, right] = await Promise.all([loadTraceInWorker(a), loadTraceInWorker(b)]);
    return compareTraces(left.report, right.report);
  }, [a, b]);
  if (state.status === 'loading') return <Loading what="both traces" />;
  if (state.status === 'error') return <Failure error={state.error} what="the comparison" />;
  const c = state.data;
  return (
    <main>
      <h1>Compare two traces</h1>
      <table>
        <tbody>
          {[
            ['A', c.a],
            ['B', c.b],
          ].map(([label, side]) => {
            const s = side as typeof c.a;
            return (
              <tr key={label as string}>
                <th scope="row">{label as string}</th>
                <td>
                  <a href={`/trace/${s.trace_id}`} class="mono">
                    {s.trace_id}
                  </a>
                </td>
                <td class="num">{formatDuration(s.root_duration_ms)}</td>
                <td>{s.verdict}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <p class="verdict">{c.verdict}</p>
      <DeltaTable title="Spans in both (largest self-time change first)" rows={c.changed} />
      <DeltaTable title="Only in A" rows={c.only_in_a} />
      <DeltaTable title="Only in B" rows={c.only_in_b} />
    </main>
  );
}
