// The service map: Jaeger's dependency links (who calls whom, how often), labelled with each
// edge's request rate, error rate and p99 from the collector's span metrics (the caller's client
// spans, keyed by `peer.service`), laid out left to right by dagre.
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

export interface MapNode {
  name: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface MapEdge {
  from: string;
  to: string;
  callCount: number;
  stats: EdgeStats;
  label: string;
  points: { x: number; y: number }[];
  labelX: number;
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

/** Per-edge stats from instant-query results grouped by (service_name, peer_service). */
export function edgeStats(rate: Sample[], errors: Sample[], p99: Sample[]): Map<string, EdgeStats> {
  const read = (samples: Sample[]) => {
    const values = new Map<string, number>();
    for (const s of samples) {
      const value = Number(s.value?.[1]);
      if (s.metric.service_name && s.metric.peer_service && Number.isFinite(value))
        values.set(edgeKey(s.metric.service_name, s.metric.peer_service), value);
    }
    return values;
  };
  const [rates, errorRates, p99s] = [read(rate), read(errors), read(p99)];
  const stats = new Map<string, EdgeStats>();
  for (const key of new Set([...rates.keys(), ...p99s.keys()])) {
    const r = rates.get(key);
    stats.set(key, {
      ratePerS: r,
      errorRatio: r === undefined ? undefined : r > 0 ? (errorRates.get(key) ?? 0) / r : 0,
      p99Ms: p99s.get(key),
    });
  }
  return stats;
}

export function edgeLabel(stats: EdgeStats | undefined): string {
  if (!stats || stats.ratePerS === undefined) return 'no recent traffic';
  const rate = stats.ratePerS < 10 ? stats.ratePerS.toFixed(2) : stats.ratePerS.toFixed(0);
  const errors = stats.errorRatio === undefined ? '–' : `${(stats.errorRatio * 100).toFixed(stats.errorRatio < 0.1 ? 1 : 0)} %`;
  const p99 = stats.p99Ms === undefined || !Number.isFinite(stats.p99Ms) ? '–' : formatDuration(stats.p99Ms);
  return `${rate} req/s · ${errors} errors · p99 ${p99}`;
}

const NODE = { width: 170, height: 44 };
const LABEL = { width: 260, height: 20 };

export function layoutServiceMap(dependencies: Dependency[], stats: Map<string, EdgeStats>): ServiceMap {
  const graph = new dagre.graphlib.Graph({ multigraph: false });
  graph.setGraph({ rankdir: 'LR', nodesep: 50, ranksep: 120, marginx: 20, marginy: 20 });
  graph.setDefaultEdgeLabel(() => ({}));
  const names = new Set(dependencies.flatMap((d) => [d.parent, d.child]));
  for (const name of [...names].sort()) graph.setNode(name, { ...NODE });
  for (const d of dependencies) {
    if (d.parent === d.child) continue; // a service calling itself adds nothing to a map
    graph.setEdge(d.parent, d.child, { ...LABEL, labelpos: 'c' });
  }
  dagre.layout(graph);
  const nodes = graph.nodes().map((name: string) => {
    const n = graph.node(name);
    return { name, x: n.x, y: n.y, width: n.width, height: n.height };
  });
  const edges = dependencies
    .filter((d) => d.parent !== d.child)
    .map((d) => {
      const e = graph.edge(d.parent, d.child);
      const s = stats.get(edgeKey(d.parent, d.child));
      return {
        from: d.parent,
        to: d.child,
        callCount: d.callCount,
        stats: s ?? { ratePerS: undefined, errorRatio: undefined, p99Ms: undefined },
        label: edgeLabel(s),
        points: e.points ?? [],
        labelX: e.x ?? 0,
        labelY: e.y ?? 0,
      };
    });
  const g = graph.graph();
  return { nodes, edges, width: g.width ?? 0, height: g.height ?? 0 };
}
