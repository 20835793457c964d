// The search box of the trace page: the query (its syntax in model/traceSearch.ts), key
// suggestions from the trace, the match count, previous/next (buttons, Enter / Shift+Enter),
// `/` to focus, and the "critical path only" switch.
import { useEffect, useMemo, useRef } from 'preact/hooks';
import { suggestions } from '../model/traceSearch';

export function TraceSearchBar({
  query,
  keys,
  count,
  current,
  criticalOnly,
  onQuery,
  onStep,
  onCriticalOnly,
}: {
  query: string;
  /** Attribute keys of the trace, most common first. */
  keys: string[];
  /** Matches, or undefined when nothing is searched. */
  count: number | undefined;
  /** Position of the current match (0-based). */
  current: number;
  criticalOnly: boolean;
  onQuery: (query: string) => void;
  onStep: (step: 1 | -1) => void;
  onCriticalOnly: (on: boolean) => void;
}) {
  const input = useRef<HTMLInputElement>(null);
  const options = useMemo(() => suggestions(query, keys), [query, keys]);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const target = event.target as HTMLElement;
      if (event.key !== '/' || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName) || target.isContentEditable) return;
      event.preventDefault();
      input.current?.focus();
      input.current?.select();
    };
    addEventListener('keydown', onKey);
    return () => removeEventListener('keydown', onKey);
  }, []);

  return (
    <search class="trace-search" aria-label="Search this trace">
      <label>
        Find spans{' '}
        <input
          ref={input}
          type="search"
          name="q"
          value={query}
          list="trace-search-keys"
          placeholder="text, service:x, status:error, key=value (press /)"
          autocomplete="off"
          spellcheck={false}
          aria-describedby="trace-search-count"
          onInput={(event) => onQuery((event.currentTarget as HTMLInputElement).value)}
          onKeyDown={(event) => {
            if (event.key !== 'Enter') return;
            event.preventDefault();
            onStep(event.shiftKey ? -1 : 1);
          }}
        />
      </label>
      <datalist id="trace-search-keys">
        {options.map((option) => (
          <option key={option} value={option} />
        ))}
      </datalist>
      <span id="trace-search-count" data-testid="search-count" aria-live="polite">
        {count === undefined ? '' : count === 0 ? 'no span matches' : `${current + 1} of ${count} matching span${count > 1 ? 's' : ''}`}
      </span>
      <button type="button" disabled={!count} onClick={() => onStep(-1)} title="Previous match (Shift+Enter)">
        ↑ previous
      </button>
      <button type="button" disabled={!count} onClick={() => onStep(1)} title="Next match (Enter)">
        ↓ next
      </button>
      <label class="check">
        <input
          type="checkbox"
          name="cp"
          checked={criticalOnly}
          onChange={(event) => onCriticalOnly((event.currentTarget as HTMLInputElement).checked)}
        />{' '}
        critical path only
      </label>
    </search>
  );
}
