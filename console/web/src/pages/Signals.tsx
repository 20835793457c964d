// /signals: the golden signals of one service (latency percentiles with exemplar dots, traffic,
// errors, saturation) and the model's health (score, fallbacks by reason, input drift).
import { type PromSeries, promExemplars, promRange } from '../api';
import { Failure, Loading } from '../components/states';
import { type ChartSeries, type ExemplarDot, TimeChart, type Unit } from '../components/TimeChart';
import { useAsync } from '../components/useAsync';
import { serviceColour } from '../model/colours';
import { diagnoseHref } from '../model/diagnosis';
import { signalServices } from '../model/services';
import { navigate } from '../router';
import { GrafanaNamedPanels } from './SignalsPanels';

export const SERVICES = signalServices();
const RANGES: Record<string, number> = { '15m': 900, '1h': 3600, '6h': 21_600 };
export const LINE_COLOURS = ['#1f6fbf', '#b35900', '#6a1b9a', '#2e7d32', '#c2185b', '#455a64'];

export interface Panel {
  title: string;
  unit: Unit;
  queries: { label: string; expr: string; scale?: number; labelFrom?: string }[];
  /** A histogram selector whose exemplars (trace ids) are drawn on the chart. */
  exemplars?: string;
}

export function goldenSignalPanels(service: string): Panel[] {
  const job = `job="${service}"`;
  const q = (quantile: number) => `histogram_quantile(${quantile}, sum by (le) (rate(http_server_request_duration_bucket{${job}}[1m])))`;
  return [
    {
      title: `Latency of ${service} (server requests)`,
      unit: 'ms',
      queries: [
        { label: 'p50', expr: q(0.5), scale: 1000 },
        { label: 'p90', expr: q(0.9), scale: 1000 },
        { label: 'p99', expr: q(0.99), scale: 1000 },
      ],
      exemplars: `traces_span_metrics_duration_milliseconds_bucket{service_name="${service}", span_kind="SPAN_KIND_SERVER"}`,
    },
    {
      title: 'Traffic',
      unit: 'req/s',
      queries: [{ label: 'requests', expr: `sum(rate(http_server_request_duration_count{${job}}[1m]))` }],
    },
    {
      title: 'Errors (5xx share)',
      unit: '%',
      queries: [
        {
          label: '5xx',
          expr: `100 * (sum(rate(http_server_request_duration_count{${job}, http_response_status_code=~"5.."}[1m])) or vector(0)) / sum(rate(http_server_request_duration_count{${job}}[1m]))`,
        },
      ],
    },
    {
      title: 'Saturation',
      unit: 'ratio',
      queries: [
        { label: 'event-loop utilization', expr: `avg(nodejs_eventloop_utilization{${job}})` },
        { label: 'in-flight requests', expr: `sum(http_server_active_requests{${job}})` },
      ],
    },
  ];
}

export const MODEL_PANELS: Panel[] = [
  {
    title: 'Fallbacks by reason',
    unit: 'req/s',
    queries: [{ label: 'reason', labelFrom: 'reason', expr: 'sum by (reason) (rate(tracelab_fallback_invocations_total[1m]))' }],
  },
  {
    title: 'Model score',
    unit: 'ratio',
    queries: [
      { label: 'mean', expr: 'sum(rate(tracelab_model_score_sum[5m])) / sum(rate(tracelab_model_score_count[5m]))' },
      { label: 'median', expr: 'histogram_quantile(0.5, sum by (le) (rate(tracelab_model_score_bucket[5m])))' },
    ],
  },
  {
    title: 'Input drift (PSI, 5 min vs 1 h; alert above 0.25)',
    unit: 'ratio',
    queries: [{ label: 'feature', labelFrom: 'feature', expr: 'tracelab:model_input:psi_5m_vs_1h' }],
  },
];

const toPoints = (series: PromSeries, scale: number): [number, number][] => (series.values ?? []).map(([t, v]) => [t, Number(v) * scale]);

async function loadPanel(
  panel: Panel,
  startS: number,
  endS: number,
  signal: AbortSignal,
): Promise<{ series: ChartSeries[]; exemplars: ExemplarDot[] }> {
  const step = Math.max(15, Math.round((endS - startS) / 240));
  const results = await Promise.all(panel.queries.map((query) => promRange(query.expr, startS, endS, step, signal)));
  const series: ChartSeries[] = [];
  results.forEach((result, i) => {
    const query = panel.queries[i]!;
    for (const s of result) {
      const label = query.labelFrom ? (s.metric[query.labelFrom] ?? query.label) : query.label;
      series.push({ label, colour: LINE_COLOURS[series.length % LINE_COLOURS.length]!, points: toPoints(s, query.scale ?? 1) });
    }
  });
  let exemplars: ExemplarDot[] = [];
  if (panel.exemplars) {
    const found = await promExemplars(panel.exemplars, startS, endS, signal);
    exemplars = found.flatMap((f) =>
      f.exemplars.flatMap((e) => (e.labels.trace_id ? [{ t: e.timestamp, value: Number(e.value), traceId: e.labels.trace_id }] : [])),
    );
  }
  return { series, exemplars };
}

export function PanelView({ panel, range }: { panel: Panel; range: number }) {
  const state = useAsync(
    (signal) => {
      const end = Math.floor(Date.now() / 1000);
      return loadPanel(panel, end - range, end, signal);
    },
    [panel.title, panel.queries[0]?.expr, range],
    15_000,
  );
  if (state.status === 'loading') return <Loading what={panel.title} />;
  if (state.status === 'error') return <Failure error={state.error} what={panel.title} />;
  return <TimeChart title={panel.title} unit={panel.unit} series={state.data.series} exemplars={state.data.exemplars} />;
}

export function SignalsPage({ params }: { params: URLSearchParams }) {
  const service = SERVICES.includes(params.get('service') ?? '') ? params.get('service')! : SERVICES[0]!;
  const rangeName = params.get('range') && RANGES[params.get('range')!] ? params.get('range')! : '15m';
  const set = (key: string, value: string) => {
    const next = new URLSearchParams(params);
    next.set(key, value);
    navigate(`/signals?${next}`, { replace: true });
  };
  return (
    <main>
      <h1>Signals</h1>
      <fieldset class="toolbar">
        <legend class="sr-only">Service and time range</legend>
        {SERVICES.map((s) => (
          <button
            key={s}
            type="button"
            aria-pressed={s === service}
            onClick={() => set('service', s)}
            style={{ borderColor: serviceColour(s) }}
          >
            {s}
          </button>
        ))}
        <label>
          Last{' '}
          <select value={rangeName} onChange={(e) => set('range', (e.currentTarget as HTMLSelectElement).value)}>
            {Object.keys(RANGES).map((r) => (
              <option key={r}>{r}</option>
            ))}
          </select>
        </label>
      </fieldset>
      <p>
        Something off? <a href={diagnoseHref(service)}>Diagnose {service}</a>: what changed in the last minutes, and the traces, queries and
        log lines that show it.
      </p>
      <h2>Golden signals: {service}</h2>
      <div class="charts">
        {goldenSignalPanels(service).map((panel) => (
          <PanelView key={`${service}-${panel.title}`} panel={panel} range={RANGES[rangeName]!} />
        ))}
      </div>
      <h2>Model health</h2>
      <div class="charts">
        {MODEL_PANELS.map((panel) => (
          <PanelView key={panel.title} panel={panel} range={RANGES[rangeName]!} />
        ))}
      </div>
      <GrafanaNamedPanels range={RANGES[rangeName]!} />
    </main>
  );
}
