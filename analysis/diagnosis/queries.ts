// The PromQL the diagnosis reads: runtime metrics per service (the OpenTelemetry Node.js runtime
// and V8 metrics, with or without the unit suffix Prometheus may add), evaluated by the loader as
// instant queries at the end of the window and of the baseline, `$range` the period's length.
// The evidence queries are built from the collector's span metrics (traces_span_metrics_*).
import type { MetricQuery } from './types';

/** The metric queries the detectors read (by id). */
export function metricQueries(): MetricQuery[] {
  return [
    {
      id: 'eventloop_delay_p99',
      promql: 'max by (job) (avg_over_time({__name__=~"nodejs_eventloop_delay_p99(_seconds)?"}[$range]))',
    },
    {
      id: 'eventloop_utilization',
      promql: 'max by (job) (avg_over_time({__name__=~"nodejs_eventloop_utilization(_ratio)?"}[$range]))',
    },
    // A slope: the heap's growth in bytes per second over the period (a leak), not its size.
    { id: 'heap_growth', promql: 'sum by (job) (deriv({__name__=~"v8js_memory_heap_used(_bytes)?"}[$range]))' },
    // Requests per second each service served (span metrics): heap growth per request tells a leak from busy garbage.
    { id: 'server_rate', promql: 'sum by (service_name) (rate(traces_span_metrics_calls_total{span_kind="SPAN_KIND_SERVER"}[$range]))' },
  ];
}

/** A PromQL range for a period: its length in seconds, at least 15 s (three 5 s scrapes). */
export function rangeOf(lengthMs: number): string {
  return `${Math.max(15, Math.round(lengthMs / 1000))}s`;
}

const label = (value: string) => `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

function selector(spans: { service: string; operation: string; kind?: string }, extra = ''): string {
  const kind = spans.kind ? `, span_kind=${label(spans.kind)}` : '';
  return `{service_name=${label(spans.service)}, span_name=${label(spans.operation)}${kind}${extra}}`;
}

/** p90 duration of one operation from the span metrics. */
export const p90Query = (spans: { service: string; operation: string; kind?: string }, range: string) =>
  `histogram_quantile(0.9, sum by (le) (rate(traces_span_metrics_duration_milliseconds_bucket${selector(spans)}[${range}])))`;

/** Share of one operation's spans that end in error. */
export const errorShareQuery = (spans: { service: string; operation: string; kind?: string }, range: string) =>
  `sum(rate(traces_span_metrics_calls_total${selector(spans, ', status_code="STATUS_CODE_ERROR"')}[${range}])) / sum(rate(traces_span_metrics_calls_total${selector(spans)}[${range}]))`;

/** Calls of one operation per server span of its service (calls per request). */
export const callsPerRequestQuery = (spans: { service: string; operation: string; kind?: string }, range: string) =>
  `sum(rate(traces_span_metrics_calls_total${selector(spans)}[${range}])) / sum(rate(traces_span_metrics_calls_total{service_name=${label(spans.service)}, span_kind="SPAN_KIND_SERVER"}[${range}]))`;

/** Rate of one operation's spans. */
export const callRateQuery = (spans: { service: string; operation: string; kind?: string }, range: string) =>
  `sum(rate(traces_span_metrics_calls_total${selector(spans)}[${range}]))`;
