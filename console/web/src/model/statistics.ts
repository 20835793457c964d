// The trace's statistics table: spans grouped by service, by service and operation, or by the
// value of any attribute key (span attribute, else resource attribute), each group with its
// span count, total time, self time and time on the critical path. Every number is a sum of the
// analysis library's per-span figures (ReportSpan.self_ms / critical_ms): nothing is recomputed.
import { operationLabel, type ReportSpan } from '../../../../analysis';

export const GROUP_BY_SERVICE = 'service';
export const GROUP_BY_OPERATION = 'operation';

export interface StatisticsRow {
  /** What the group is: a service, "service · operation", or an attribute's value. */
  label: string;
  /** The group's service when it has exactly one (for its colour). */
  service?: string;
  count: number;
  total_ms: number;
  self_ms: number;
  critical_ms: number;
  /** critical_ms / the critical path's length, 0..1. */
  share: number;
}

/** The label of the group of spans with no value for the key. */
export const NO_VALUE = '(not set)';

/** By operation, a server span and the client span named after it are two rows, as in `npm run why`. */
const labelOf = (span: ReportSpan, groupBy: string): string => {
  if (groupBy === GROUP_BY_SERVICE) return span.service;
  if (groupBy === GROUP_BY_OPERATION) return `${span.service} · ${operationLabel(span.operation, span.kind)}`;
  const value = span.attributes[groupBy] ?? span.resource[groupBy];
  return value === undefined ? NO_VALUE : typeof value === 'string' ? value : JSON.stringify(value);
};

const round = (value: number) => Math.round(value * 1e3) / 1e3;

/** Rows most critical first, then by self time. */
export function groupStatistics(spans: ReportSpan[], groupBy: string, criticalPathMs: number): StatisticsRow[] {
  const rows = new Map<string, StatisticsRow & { services: Set<string> }>();
  for (const span of spans) {
    const label = labelOf(span, groupBy);
    let row = rows.get(label);
    if (!row) {
      row = { label, count: 0, total_ms: 0, self_ms: 0, critical_ms: 0, share: 0, services: new Set() };
      rows.set(label, row);
    }
    row.count++;
    row.total_ms += span.duration_ms;
    row.self_ms += span.self_ms;
    row.critical_ms += span.critical_ms;
    row.services.add(span.service);
  }
  return [...rows.values()]
    .map(({ services, ...row }) => ({
      ...row,
      ...(services.size === 1 ? { service: [...services][0]! } : {}),
      total_ms: round(row.total_ms),
      self_ms: round(row.self_ms),
      critical_ms: round(row.critical_ms),
      share: criticalPathMs > 0 ? row.critical_ms / criticalPathMs : 0,
    }))
    .sort((a, b) => b.critical_ms - a.critical_ms || b.self_ms - a.self_ms || a.label.localeCompare(b.label));
}
