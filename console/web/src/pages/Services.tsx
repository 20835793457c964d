// /services: the service map. Edges come from Jaeger's dependency links; each is labelled with
// its request rate, error rate and p99 (span metrics over the last 5 minutes) and opens the
// slowest recent traces that crossed it. Hops through a broker (producer and consumer spans,
// which Jaeger's dependencies leave out) come from the span metrics and are drawn dashed.
import { jaeger, promQuery } from '../api';
import { Empty, Failure, Loading } from '../components/states';
import { useAsync } from '../components/useAsync';
import { serviceColour } from '../model/colours';
import { type Dependency, edgeStats, layoutServiceMap, type MapEdge, messagingFlows } from '../model/serviceMap';

const WINDOW = '5m';
const CLIENT = `span_kind="SPAN_KIND_CLIENT", peer_service!=""`;
const QUERIES = {
  rate: `sum by (service_name, peer_service) (rate(traces_span_metrics_calls_total{${CLIENT}}[${WINDOW}]))`,
  errors: `sum by (service_name, peer_service) (rate(traces_span_metrics_calls_total{${CLIENT}, status_code="STATUS_CODE_ERROR"}[${WINDOW}]))`,
  p99: `histogram_quantile(0.99, sum by (le, service_name, peer_service) (rate(traces_span_metrics_duration_milliseconds_bucket{${CLIENT}}[${WINDOW}])))`,
};
const MESSAGING = `span_kind=~"SPAN_KIND_PRODUCER|SPAN_KIND_CONSUMER", messaging_destination_name!=""`;
const BY_FLOW = 'service_name, span_kind, messaging_system, messaging_destination_name';
const FLOW_QUERIES = {
  count: `sum by (${BY_FLOW}) (increase(traces_span_metrics_calls_total{${MESSAGING}}[1h]))`,
  rate: `sum by (${BY_FLOW}) (rate(traces_span_metrics_calls_total{${MESSAGING}}[${WINDOW}]))`,
  errors: `sum by (${BY_FLOW}) (rate(traces_span_metrics_calls_total{${MESSAGING}, status_code="STATUS_CODE_ERROR"}[${WINDOW}]))`,
  p99: `histogram_quantile(0.99, sum by (le, ${BY_FLOW}) (rate(traces_span_metrics_duration_milliseconds_bucket{${MESSAGING}}[${WINDOW}])))`,
};
const REFRESH_MS = 15_000;

/** The traces behind an edge: a call's slowest recent ones; for a broker hop, that side's spans on the destination. */
export const edgeTracesUrl = (edge: Pick<MapEdge, 'from' | 'to' | 'flow'>) =>
  `/traces?${new URLSearchParams(
    edge.flow
      ? { service: edge.flow.service, tags: JSON.stringify({ 'messaging.destination.name': edge.flow.destination }), lookback: '15m' }
      : { service: edge.from, tags: JSON.stringify({ 'peer.service': edge.to }), sort: 'slowest', lookback: '15m' },
  )}`;

async function loadMap(signal: AbortSignal) {
  const deps = await jaeger<{ data: Dependency[] | null }>('dependencies', { endTs: Date.now(), lookback: 3_600_000 }, signal);
  let stats = new Map();
  let flows: ReturnType<typeof messagingFlows> = [];
  let metricsError: unknown;
  try {
    const [rate, errors, p99, flowCount, flowRate, flowErrors, flowP99] = await Promise.all([
      promQuery(QUERIES.rate, signal),
      promQuery(QUERIES.errors, signal),
      promQuery(QUERIES.p99, signal),
      promQuery(FLOW_QUERIES.count, signal),
      promQuery(FLOW_QUERIES.rate, signal),
      promQuery(FLOW_QUERIES.errors, signal),
      promQuery(FLOW_QUERIES.p99, signal),
    ]);
    stats = edgeStats(rate, errors, p99);
    flows = messagingFlows(flowCount, flowRate, flowErrors, flowP99);
  } catch (error) {
    metricsError = error; // the map still helps without its numbers (but has no broker hops)
  }
  return { map: layoutServiceMap(deps.data ?? [], stats, flows), metricsError };
}

export function ServicesPage() {
  const state = useAsync(loadMap, [], REFRESH_MS);
  return (
    <main>
      <h1>Service map</h1>
      <p class="hint">
        Who calls whom in the last hour (Jaeger dependencies); edge numbers are the caller's client spans over the last {WINDOW}. Select an
        edge for its slowest recent traces. Dashed edges go through a broker: the sender does not wait, and the receiver often works in a
        trace of its own that links back (Jaeger's dependencies leave these out; they come from the producer and consumer spans, and one
        consumer span may process a batch).
      </p>
      {state.status === 'loading' ? <Loading what="the service map" /> : null}
      {state.status === 'error' ? <Failure error={state.error} what="the service map" /> : null}
      {state.status === 'ok' && state.data.metricsError ? (
        <Failure error={state.data.metricsError} what="the edge metrics from Prometheus" />
      ) : null}
      {state.status === 'ok' && !state.data.map.edges.length ? (
        <Empty>
          No calls between services in the last hour. Send a few requests to the gateway (see the README) and this map fills in.
        </Empty>
      ) : null}
      {state.status === 'ok' && state.data.map.edges.length ? <MapView map={state.data.map} /> : null}
    </main>
  );
}

function pathOf(points: { x: number; y: number }[]): string {
  return points.map((p, i) => `${i ? 'L' : 'M'}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(' ');
}

function MapView({ map }: { map: ReturnType<typeof layoutServiceMap> }) {
  return (
    <>
      <svg
        class="service-map"
        viewBox={`0 0 ${map.width} ${map.height}`}
        width={map.width}
        height={map.height}
        // No role="img": its edges are links, and an image's children are not reachable.
        aria-labelledby="map-title"
      >
        <title id="map-title">
          Service map: {map.edges.map((e) => `${e.from} ${e.async ? 'sends through' : 'calls'} ${e.to} (${e.label})`).join('; ')}
        </title>
        <defs>
          <marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse">
            <path d="M0,0 L10,5 L0,10 z" fill="#333" />
          </marker>
        </defs>
        {map.edges.map((edge) => (
          <a
            key={`${edge.from}-${edge.to}`}
            href={edgeTracesUrl(edge)}
            class={edge.async ? 'map-edge map-edge-async' : 'map-edge'}
            data-edge={`${edge.from}->${edge.to}`}
          >
            <path
              d={pathOf(edge.points)}
              fill="none"
              stroke="#333"
              stroke-width={edge.stats.errorRatio ? 3 : 2}
              stroke-dasharray={edge.async ? '7 5' : undefined}
              marker-end="url(#arrow)"
            />
            <rect
              x={edge.labelX - edge.labelWidth / 2}
              y={edge.labelY - 10}
              width={edge.labelWidth}
              height={20}
              rx={4}
              fill="#fff"
              stroke="#bbb"
            />
            <text x={edge.labelX} y={edge.labelY + 4} text-anchor="middle" class="edge-label">
              {edge.label}
            </text>
          </a>
        ))}
        {map.nodes.map((node) => (
          <g key={node.name} class={node.broker ? 'map-node map-broker' : 'map-node'} data-service={node.name}>
            <rect
              x={node.x - node.width / 2}
              y={node.y - node.height / 2}
              width={node.width}
              height={node.height}
              rx={node.broker ? node.height / 2 : 8}
              fill={node.broker ? '#f4f4f4' : '#fff'}
              stroke={node.broker ? '#555' : serviceColour(node.name)}
              stroke-width={node.broker ? 2 : 3}
              stroke-dasharray={node.broker ? '7 5' : undefined}
            />
            <text x={node.x} y={node.y + 5} text-anchor="middle" class="node-label">
              {node.name}
            </text>
          </g>
        ))}
      </svg>
      <table class="edges">
        <caption>Edges</caption>
        <thead>
          <tr>
            <th scope="col">Caller → callee</th>
            <th scope="col" class="num">
              Calls (1 h; broker hops: spans)
            </th>
            <th scope="col">Rate · errors · p99 (5 min)</th>
          </tr>
        </thead>
        <tbody>
          {map.edges.map((edge) => (
            <tr key={`${edge.from}-${edge.to}`} data-edge={`${edge.from}->${edge.to}`}>
              <td>
                <a href={edgeTracesUrl(edge)}>
                  {edge.from} {edge.async ? '⇢' : '→'} {edge.to}
                </a>
                {edge.async ? <span class="dim"> (through the broker, not waited for)</span> : null}
              </td>
              <td class="num">{edge.callCount}</td>
              <td>{edge.label}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
