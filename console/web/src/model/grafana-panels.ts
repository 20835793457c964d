// The Grafana panels the lessons name that the console's Signals page had no match for, under the
// same titles and with the same PromQL as the dashboards (`$__rate_interval` read as 1m; checked
// against grafana/dashboards/ by test/unit/console/grafana-panels.test.ts).

/** A chart as the Signals page draws it (its Panel, restated here so that this file needs no JSX). */
export interface PanelSpec {
  title: string;
  unit: 'ms' | 'req/s' | '%';
  queries: { label: string; expr: string; scale?: number; labelFrom?: string }[];
}

/** Names each series `caller → callee` (the dashboards' legend `{{service_name}} → {{peer_service}}`). */
const perEdge = (expr: string) => `label_join(${expr}, "edge", " → ", "service_name", "peer_service")`;

const CLIENT = 'span_kind="SPAN_KIND_CLIENT", peer_service!=""';
const calls = (extra = '') => `sum by (service_name, peer_service) (rate(traces_span_metrics_calls_total{${CLIENT}${extra}}[1m]))`;

/** The model monitor's oldest unacknowledged prediction event, in seconds (docs/async-tracing.md). */
const LAG_AGE = 'max by (job) ({__name__=~"tracelab_monitor_lag_oldest_unacked_age(_seconds)?"})';

/** A panel whose series are named by one label (`edge`, made by perEdge, or the fallback `reason`). */
const panel = (dashboard: string, title: string, unit: PanelSpec['unit'], expr: string, by: 'edge' | 'reason') => ({
  dashboard,
  expr,
  panel: {
    title,
    unit,
    queries: [{ label: by, labelFrom: by, expr: by === 'edge' ? perEdge(expr) : expr, scale: unit === '%' ? 100 : 1 }],
  } satisfies PanelSpec,
});

/** Each panel with the dashboard it comes from in Grafana, and its expression there. */
export const GRAFANA_PANELS = [
  panel('Request path', 'Calls per edge', 'req/s', calls(), 'edge'),
  panel(
    'Request path',
    'Latency p95 per edge',
    'ms',
    `histogram_quantile(0.95, sum by (le, service_name, peer_service) (rate(traces_span_metrics_duration_milliseconds_bucket{${CLIENT}}[1m])))`,
    'edge',
  ),
  panel(
    'Request path',
    'Error ratio per edge',
    '%',
    `(${calls(', status_code="STATUS_CODE_ERROR"')} or 0 * ${calls()}) / ${calls()}`,
    'edge',
  ),
  panel(
    'Model health',
    'Fallback ratio by reason',
    '%',
    'sum by (reason) (rate(tracelab_fallback_invocations_total[1m])) / scalar(sum(rate(tracelab_gateway_predictions_total[1m])))',
    'reason',
  ),
  {
    dashboard: 'Model health',
    expr: LAG_AGE,
    // Seconds in PromQL, drawn as a duration (the chart's durations are in ms).
    panel: {
      title: 'Prediction events: oldest unacknowledged',
      unit: 'ms',
      queries: [{ label: 'job', labelFrom: 'job', expr: LAG_AGE, scale: 1000 }],
    } satisfies PanelSpec,
  },
];
