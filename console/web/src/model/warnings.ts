// The analysis' warnings, grouped for reading: one line per cause with a count and, for calls
// into dependencies that are not traced, the kind of callee (a cache, a database, …) read from
// the client span's semantic conventions (db.*, messaging.*, rpc.*, http.*), never from service
// names. A warning about one span becomes a member of its cause's group; any other warning (one
// the analysis already grouped, or a cause not known here) is a group of its own, so this keeps
// working whether the analysis reports one line per span or one per cause.
import type { Attributes } from '../../../../analysis';

export interface WarningGroup {
  /** The line shown: the cause, its count and its callees. */
  headline: string;
  /** The analysis' own lines behind the headline. */
  lines: string[];
  /** Spans the lines name, to jump to. */
  spanIds: string[];
}

/** Database systems (OpenTelemetry db.system values) that are caches or key-value stores used as caches. */
const CACHE_SYSTEMS = new Set(['redis', 'memcached', 'valkey', 'hazelcast', 'geode', 'coherence', 'couchbase', 'aerospike']);

/** What kind of thing a client span calls, from its attributes' semantic conventions. */
export function calleeKind(attributes: Attributes): string {
  const db = attributes['db.system.name'] ?? attributes['db.system'];
  if (typeof db === 'string') return CACHE_SYSTEMS.has(db.toLowerCase()) ? 'a cache' : 'a database';
  if (attributes['messaging.system'] !== undefined) return 'a message broker';
  if (attributes['rpc.system'] !== undefined) return 'an RPC service';
  if (attributes['http.request.method'] !== undefined || attributes['http.method'] !== undefined) return 'an HTTP service';
  return 'a dependency';
}

const UNANSWERED = /^client span ([0-9a-f]+) \((.+) › (.+) → (.+)\) has no server span under it/;
const SKEW = /^clock skew between (.+) and (.+): server span ([0-9a-f]+) starts/;

interface Member {
  line: string;
  spanId: string;
  callee: string;
}

const counted = (members: Member[]) => {
  const byCallee = new Map<string, number>();
  for (const m of members) byCallee.set(m.callee, (byCallee.get(m.callee) ?? 0) + 1);
  return [...byCallee]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([callee, n]) => `${callee} (${n})`)
    .join(', ');
};

/** Groups warnings by cause and callee; `attributesOf` gives a span's attributes by id. */
export function groupWarnings(warnings: string[], attributesOf: (spanId: string) => Attributes | undefined): WarningGroup[] {
  const unanswered: Member[] = [];
  const skew: Member[] = [];
  const others = new Map<string, string[]>();
  for (const line of warnings) {
    const call = UNANSWERED.exec(line);
    if (call) {
      const [, spanId, , , peer] = call as unknown as [string, string, string, string, string];
      unanswered.push({ line, spanId, callee: `${calleeKind(attributesOf(spanId) ?? {})}: ${peer}` });
      continue;
    }
    const skewed = SKEW.exec(line);
    if (skewed) {
      const [, from, to, spanId] = skewed as unknown as [string, string, string, string];
      skew.push({ line, spanId, callee: `${from} → ${to}` });
      continue;
    }
    const list = others.get(line);
    if (list) list.push(line);
    else others.set(line, [line]);
  }
  const groups: WarningGroup[] = [];
  if (unanswered.length) {
    groups.push({
      headline: `${unanswered.length} call${unanswered.length > 1 ? 's' : ''} to dependencies that are not traced (no server span under the client span): ${counted(unanswered)}`,
      lines: unanswered.map((m) => m.line),
      spanIds: unanswered.map((m) => m.spanId),
    });
  }
  if (skew.length) {
    groups.push({
      headline: `${skew.length} server span${skew.length > 1 ? 's' : ''} starting before their client (clock skew): ${counted(skew)}`,
      lines: skew.map((m) => m.line),
      spanIds: skew.map((m) => m.spanId),
    });
  }
  for (const [line, lines] of others) {
    groups.push({ headline: lines.length > 1 ? `${line} (×${lines.length})` : line, lines, spanIds: [] });
  }
  return groups;
}
