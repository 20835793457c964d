// /traces: search recent traces (Jaeger's search API) by service, operation, minimum duration,
// error, fallback reason and time range; the form lives in the URL so a search can be shared.
import { jaeger } from '../api';
import { AsyncMarks } from '../components/AsyncMarks';
import { PredictionForm } from '../components/PredictionForm';
import { Empty, Failure, Loading } from '../components/states';
import { useAsync } from '../components/useAsync';
import { serviceColour } from '../model/colours';
import { type JaegerTrace, summarizeTrace } from '../model/jaeger';
import { searchTags } from '../model/tagSearch';
import { formatDuration } from '../model/timeAxis';
import { navigate } from '../router';

const LOOKBACKS = ['5m', '15m', '1h', '6h', '24h'];
const REASONS = ['timeout', 'error', 'circuit_open', 'bad_response'];
const LOOKBACK_MS: Record<string, number> = { '5m': 300_000, '15m': 900_000, '1h': 3_600_000, '6h': 21_600_000, '24h': 86_400_000 };

export function TracesPage({ params }: { params: URLSearchParams }) {
  const services = useAsync((signal) => jaeger<{ data: string[] | null }>('services', {}, signal), []);
  const serviceList = services.status === 'ok' ? (services.data.data ?? []).filter((s) => !s.startsWith('jaeger')).sort() : [];
  const service = params.get('service') ?? (serviceList.includes('gateway') ? 'gateway' : serviceList[0]) ?? '';
  const operations = useAsync(
    (signal) =>
      service
        ? jaeger<{ data: string[] | null }>(`services/${encodeURIComponent(service)}/operations`, {}, signal)
        : Promise.resolve({ data: [] }),
    [service],
  );
  const lookback = params.get('lookback') ?? '1h';
  const sort = params.get('sort') ?? 'newest';
  const filter = searchTags(params);
  const search = {
    service,
    operation: params.get('operation') ?? undefined,
    minDuration: params.get('minDuration') ?? undefined,
    tags: filter.tags,
    limit: params.get('limit') ?? '40',
    lookback,
    start: (Date.now() - (LOOKBACK_MS[lookback] ?? 3_600_000)) * 1000,
    end: Date.now() * 1000,
  };
  const key = JSON.stringify({ ...search, start: 0, end: 0 });
  const traces = useAsync(
    (signal) => (service ? jaeger<{ data: JaegerTrace[] | null }>('traces', search, signal) : Promise.resolve({ data: [] })),
    [key],
  );

  const submit = (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const next = new URLSearchParams();
    for (const [k, v] of form) if (typeof v === 'string' && v !== '') next.set(k, v);
    navigate(`/traces?${next}`);
  };

  const rows = traces.status === 'ok' ? (traces.data.data ?? []).map(summarizeTrace) : [];
  if (sort === 'slowest') rows.sort((a, b) => b.durationMs - a.durationMs);
  else rows.sort((a, b) => b.startMs - a.startMs);

  return (
    <main>
      <h1>Traces</h1>
      <details class="send-prediction">
        <summary>Send a prediction from this browser (the trace starts here)</summary>
        <PredictionForm />
      </details>
      <form class="search" onSubmit={submit} aria-label="Search traces">
        <label>
          Service
          <select name="service" value={service}>
            {serviceList.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label>
          Operation
          <select name="operation" value={params.get('operation') ?? ''}>
            <option value="">all</option>
            {(operations.status === 'ok' ? (operations.data.data ?? []) : []).sort().map((o) => (
              <option key={o} value={o}>
                {o}
              </option>
            ))}
          </select>
        </label>
        <label>
          Min duration
          <input
            name="minDuration"
            placeholder="e.g. 250ms"
            value={params.get('minDuration') ?? ''}
            size={8}
            pattern="\d+(\.\d+)?(us|µs|ms|s|m)"
          />
        </label>
        <label>
          Fallback reason
          <select name="reason" value={params.get('reason') ?? ''}>
            <option value="">any</option>
            {REASONS.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </label>
        <label>
          Attributes
          <input
            name="attributes"
            placeholder="key=value, e.g. db.system=redis"
            value={params.get('attributes') ?? ''}
            size={30}
            spellcheck={false}
            aria-describedby="attribute-help"
          />
        </label>
        <label class="check">
          <input type="checkbox" name="error" value="true" checked={params.get('error') === 'true'} /> errors only
        </label>
        <label>
          Last
          <select name="lookback" value={lookback}>
            {LOOKBACKS.map((l) => (
              <option key={l} value={l}>
                {l}
              </option>
            ))}
          </select>
        </label>
        <label>
          Order
          <select name="sort" value={sort}>
            <option value="newest">newest first</option>
            <option value="slowest">slowest first</option>
          </select>
        </label>
        {params.get('tags') ? <input type="hidden" name="tags" value={params.get('tags')!} /> : null}
        <button type="submit">Search</button>
      </form>
      <p id="attribute-help" class="hint">
        Attributes: <code>key=value</code> pairs separated by spaces (quote a value with spaces), matched by Jaeger's tag search on span and
        resource attributes.
      </p>
      {filter.invalid.length ? (
        <p class="state failure" role="alert">
          Not a <code>key=value</code> pair: {filter.invalid.map((t) => `“${t}”`).join(', ')} (ignored).
        </p>
      ) : null}
      {params.get('tags') ? (
        <p class="hint">
          Filtered by span tags <code>{params.get('tags')}</code> (<a href={`/traces?service=${encodeURIComponent(service)}`}>clear</a>)
        </p>
      ) : null}
      {services.status === 'error' ? <Failure error={services.error} what="the services from Jaeger" /> : null}
      {services.status === 'ok' && !serviceList.length ? (
        <Empty>
          Jaeger has no traces yet. Send a request:{' '}
          <code>curl -X POST http://127.0.0.1:8080/v1/predict -H 'content-type: application/json' -d '…'</code> (see the README), or turn on
          traffic from the <a href="/lab">lab</a>.
        </Empty>
      ) : null}
      {traces.status === 'loading' && service ? <Loading what="traces" /> : null}
      {traces.status === 'error' ? <Failure error={traces.error} what="traces" /> : null}
      {traces.status === 'ok' && service && !rows.length ? (
        <Empty>No trace matches this search in the last {lookback}. Widen the time range, drop a filter, or send some requests.</Empty>
      ) : null}
      {rows.length ? (
        <table class="traces">
          <caption class="sr-only">Matching traces</caption>
          <thead>
            <tr>
              <th scope="col">Trace</th>
              <th scope="col">Started</th>
              <th scope="col" class="num">
                Duration
              </th>
              <th scope="col" class="num">
                Spans
              </th>
              <th scope="col">Services</th>
              <th scope="col">Markers</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.traceId} data-trace-id={row.traceId}>
                <td>
                  <a href={`/trace/${row.traceId}`}>
                    {row.rootService}: {row.rootOperation}
                  </a>
                  <div class="mono dim">{row.traceId}</div>
                </td>
                <td>{new Date(row.startMs).toLocaleTimeString()}</td>
                <td class="num">{formatDuration(row.durationMs)}</td>
                <td class="num">{row.spanCount}</td>
                <td>
                  {row.services.map((s) => (
                    <span key={s.name} class="service-chip" style={{ borderColor: serviceColour(s.name) }}>
                      <span class="swatch" style={{ background: serviceColour(s.name) }} aria-hidden="true" />
                      {s.name} ({s.spans})
                    </span>
                  ))}
                </td>
                <td>
                  {row.errorCount ? (
                    <span class="badge badge-error">
                      ⚠ {row.errorCount} error{row.errorCount > 1 ? 's' : ''}
                    </span>
                  ) : null}
                  {row.fallbackReason ? <span class="badge badge-fallback">↪ fallback: {row.fallbackReason}</span> : null}
                  <AsyncMarks row={row} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </main>
  );
}
