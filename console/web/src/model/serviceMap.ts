// The service map: Jaeger's dependency links (who calls whom, how often), labelled with each
// edge's request rate, error rate and p99 from the collector's span metrics (the caller's client
// spans, keyed by `peer.service`), laid out left to right by dagre. Jaeger's dependencies follow
// parent-child spans only, so a message that is processed in another trace (a span link) is not
// among them: the broker hops come from the span metrics of producer and consumer spans instead,
// keyed by the messaging conventions' system and destination, and drawn through a broker node.
import dagre from '@dagrejs/dagre';
import { formatDuration } from './timeAxis';

export interface Dependency {
  parent: string;
  child: string;
  callCount: number;
}

export interface EdgeStats {
  ratePerS: number | undefined;
  errorRatio: number | undefined;
  p99Ms: number | undefined;
}

/** Producer or consumer spans of one service on one destination, from the span metrics. */
export interface MessagingFlow {
  service: string;
  role: 'producer' | 'consumer';
  /** `messaging.system`, e.g. nats, kafka. */
  system: string;
  destination: string;
  /** Spans in the last hour (a consumer's span may be one batch of many messages). */
  count: number;
  stats: EdgeStats;
}

export interface MapNode {
  name: string;
  /** A broker destination (drawn apart from the services). */
  broker: boolean;
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface MapEdge {
  from: string;
  to: string;
  /** A hop through a broker: the sender does not wait for the receiver. */
  async: boolean;
  /** The flow behind an async edge: its service, side and destination. */
  flow?: MessagingFlow;
  callCount: number;
  stats: EdgeStats;
  label: string;
  points: { x: number; y: number }[];
  labelX: number;
  /** Width of the label's box, fitted to its text. */
  labelWidth: number;
  labelY: number;
}

export interface ServiceMap {
  nodes: MapNode[];
  edges: MapEdge[];
  width: number;
  height: number;
}

export const edgeKey = (from: string, to: string) => `${from}→${to}`;

interface Sample {
  metric: Record<string, string>;
  value?: [number, string];
}

/** Each sample's value under the key its labels give (samples without a key are skipped). */
function valuesByKey(samples: Sample[], keyOf: (metric: Record<string, string>) => string | undefined): Map<string, number> {
  const values = new Map<string, number>();
  for (const s of samples) {
    const key = keyOf(s.metric);
    const value = Number(s.value?.[1]);
    if (key !== undefined && Number.isFinite(value)) values.set(key, value);
  }
  return values;
}

/** The stats of one key from its rate, error-rate and p99 values. */
function statsOf(key: string, rates: Map<string, number>, errorRates: Map<string, number>, p99s: Map<string, number>): EdgeStats {
  const r = rates.get(key);
  return { ratePerS: r, errorRatio: r === undefined ? undefined : r > 0 ? (errorRates.get(key) ?? 0) / r : 0, p99Ms: p99s.get(key) };
}

/** Per-edge stats from instant-query results grouped by (service_name, peer_service). */
export function edgeStats(rate: Sample[], errors: Sample[], p99: Sample[]): Map<string, EdgeStats> {
  const keyOf = (m: Record<string, string>) => (m.service_name && m.peer_service ? edgeKey(m.service_name, m.peer_service) : undefined);
  const [rates, errorRates, p99s] = [valuesByKey(rate, keyOf), valuesByKey(errors, keyOf), valuesByKey(p99, keyOf)];
  const stats = new Map<string, EdgeStats>();
  for (const key of new Set([...rates.keys(), ...p99s.keys()])) stats.set(key, statsOf(key, rates, errorRates, p99s));
  return stats;
}

export function edgeLabel(stats: EdgeStats | undefined, unit = 'req/s'): string {
  if (!stats || stats.ratePerS === undefined) return 'no recent traffic';
  const rate = stats.ratePerS < 10 ? stats.ratePerS.toFixed(2) : stats.ratePerS.toFixed(0);
  const errors = stats.errorRatio === undefined ? '–' : `${(stats.errorRatio * 100).toFixed(stats.errorRatio < 0.1 ? 1 : 0)} %`;
  const p99 = stats.p99Ms === undefined || !Number.isFinite(stats.p99Ms) ? '–' : formatDuration(stats.p99Ms);
  return `${rate} ${unit} · ${errors} errors · p99 ${p99}`;
}

const ROLES: Record<string, MessagingFlow['role']> = { SPAN_KIND_PRODUCER: 'producer', SPAN_KIND_CONSUMER: 'consumer' };

/**
 * The messaging flows from instant-query results grouped by (service_name, span_kind,
 * messaging_system, messaging_destination_name): the hour's span counts, and the last minutes'
 * rate, errors and p99.
 */
export function messagingFlows(count: Sample[], rate: Sample[], errors: Sample[], p99: Sample[]): MessagingFlow[] {
  const keyOf = (m: Record<string, string>) =>
    ROLES[m.span_kind ?? ''] && m.service_name && m.messaging_destination_name
      ? [m.service_name, ROLES[m.span_kind!], m.messaging_system || 'messaging', m.messaging_destination_name].join('\u0000')
      : undefined;
  const [counts, rates, errorRates, p99s] = [count, rate, errors, p99].map((samples) => valuesByKey(samples, keyOf));
  return (
    [...counts]
      .filter(([, n]) => Math.round(n) > 0)
      .map(([key, n]) => {
        const [service, role, system, destination] = key.split('\u0000') as [string, MessagingFlow['role'], string, string];
        return { service, role, system, destination, count: Math.round(n), stats: statsOf(key, rates, errorRates, p99s) };
      })
      // Senders before receivers, as the map reads.
      .sort((a, b) => a.destination.localeCompare(b.destination) || b.role.localeCompare(a.role) || a.service.localeCompare(b.service))
  );
}

/** The broker node of a destination, named as the map shows it. */
export const brokerNodeName = (flow: Pick<MessagingFlow, 'system' | 'destination'>) => `${flow.system} ${flow.destination}`;

const NODE = { width: 170, height: 44 };
const LABEL = { width: 260, height: 20 };
/** Room for a text in the map's fonts (node names 14 px bold, edge labels 12 px): a generous average glyph width. */
const nodeWidth = (name: string) => Math.max(NODE.width, Math.ceil(name.length * 9) + 24);
const labelWidth = (label: string) => Math.max(LABEL.width, Math.ceil(label.length * 7) + 16);

export function layoutServiceMap(dependencies: Dependency[], stats: Map<string, EdgeStats>, flows: MessagingFlow[] = []): ServiceMap {
  const graph = new dagre.graphlib.Graph({ multigraph: false });
  graph.setGraph({ rankdir: 'LR', nodesep: 50, ranksep: 120, marginx: 20, marginy: 20 });
  graph.setDefaultEdgeLabel(() => ({}));
  const noStats = { ratePerS: undefined, errorRatio: undefined, p99Ms: undefined };
  const callEdges = dependencies
    .filter((d) => d.parent !== d.child) // a service calling itself adds nothing to a map
    .map((d) => {
      const s = stats.get(edgeKey(d.parent, d.child));
      return { from: d.parent, to: d.child, async: false, callCount: d.callCount, stats: s ?? noStats, label: edgeLabel(s) };
    });
  const hopEdges = flows.map((flow) => {
    const broker = brokerNodeName(flow);
    const [from, to] = flow.role === 'producer' ? [flow.service, broker] : [broker, flow.service];
    const label = edgeLabel(flow.stats, flow.role === 'producer' ? 'sends/s' : 'receives/s');
    return { from, to, async: true, flow, callCount: flow.count, stats: flow.stats, label };
  });
  const brokers = new Set(flows.map(brokerNodeName));
  const names = new Set([...callEdges, ...hopEdges].flatMap((e) => [e.from, e.to]));
  for (const name of [...names].sort()) graph.setNode(name, { width: nodeWidth(name), height: NODE.height });
  for (const e of [...callEdges, ...hopEdges])
    graph.setEdge(e.from, e.to, { width: labelWidth(e.label), height: LABEL.height, labelpos: 'c' });
  dagre.layout(graph);
  const nodes = graph.nodes().map((name: string) => {
    const n = graph.node(name);
    return { name, broker: brokers.has(name), x: n.x, y: n.y, width: n.width, height: n.height };
  });
  const edges = [...callEdges, ...hopEdges].map((edge) => {
    const e = graph.edge(edge.from, edge.to);
    return { ...edge, points: e.points ?? [], labelX: e.x ?? 0, labelY: e.y ?? 0, labelWidth: e.width };
  });
  const g = graph.graph();
  return { nodes, edges, width: g.width ?? 0, height: g.height ?? 0 };
}
