// The analysis' warnings, grouped for reading: one line per cause with a count. Calls into
// dependencies that are not traced come grouped by callee from the analysis (report.dependencies:
// the kind of callee read from db.*, messaging.*, rpc.* conventions); here each group unfolds to
// its spans. Clock skew lines are grouped by the pair of services; any other warning is a group
// of its own, identical lines counted once.
import type { TraceReport } from '../../../../analysis';
import { dependencyWarning } from '../../../../analysis/report';

export interface WarningGroup {
  /** The line shown: the cause, its count and its callees. */
  headline: string;
  /** The analysis' own lines behind the headline. */
  lines: string[];
  /** Spans the lines name, to jump to. */
  spanIds: string[];
}

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

/** Groups a report's warnings by cause and callee. */
export function groupWarnings(report: Pick<TraceReport, 'warnings' | 'dependencies' | 'spans'>): WarningGroup[] {
  const groups: WarningGroup[] = [];
  const dependencyLine = report.dependencies.length ? dependencyWarning(report.dependencies) : undefined;
  if (dependencyLine) {
    const names = new Map(report.spans.map((s) => [s.span_id, `${s.service} › ${s.operation}`]));
    const calls = report.dependencies.flatMap((d) => d.span_ids.map((id) => ({ id, line: `${names.get(id) ?? id} → ${d.peer}` })));
    groups.push({ headline: dependencyLine, lines: calls.map((c) => c.line), spanIds: calls.map((c) => c.id) });
  }
  const skew: Member[] = [];
  const others = new Map<string, string[]>();
  for (const line of report.warnings) {
    if (line === dependencyLine) continue;
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
