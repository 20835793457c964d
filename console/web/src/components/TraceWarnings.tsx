// What makes the analysis of this trace less certain, one line per cause (grouped by cause and
// callee, see model/warnings.ts); each line unfolds to its spans.
import { useMemo } from 'preact/hooks';
import type { TraceReport } from '../../../../analysis';
import { groupWarnings } from '../model/warnings';

export function TraceWarnings({ report, onSelect }: { report: TraceReport; onSelect: (spanId: string) => void }) {
  const groups = useMemo(() => groupWarnings(report), [report]);
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
