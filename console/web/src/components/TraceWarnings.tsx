// What makes the analysis of this trace less certain, one line per cause (grouped by cause and
// callee, see model/warnings.ts); each line unfolds to the analysis' own lines and their spans.
import { useMemo } from 'preact/hooks';
import type { TraceReport } from '../../../../analysis';
import { groupWarnings } from '../model/warnings';

export function TraceWarnings({ report, onSelect }: { report: TraceReport; onSelect: (spanId: string) => void }) {
  const groups = useMemo(() => {
    if (!report.warnings.length) return [];
    const byId = new Map(report.spans.map((s) => [s.span_id, s]));
    return groupWarnings(report.warnings, (id) => byId.get(id)?.attributes);
  }, [report]);
  if (!groups.length) return null;
  return (
    <section class="warnings" aria-label="Notes on this trace">
      {groups.map((group) => (
        <details key={group.headline} data-testid="warning-group">
          <summary>{group.headline}</summary>
          <ul>
            {group.lines.map((line, i) => (
              <li key={i}>
                {group.spanIds[i] ? (
                  <button type="button" class="linkish mono" onClick={() => onSelect(group.spanIds[i]!)}>
                    {group.spanIds[i]}
                  </button>
                ) : null}{' '}
                {line}
              </li>
            ))}
          </ul>
        </details>
      ))}
    </section>
  );
}
