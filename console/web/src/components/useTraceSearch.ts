// The trace page's search state: the query and "critical path only" live in the URL (`q`,
// `cp`), the matches are computed from them, and next/previous move a focus through the matches.
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { TraceReport } from '../../../../analysis';
import { parseSearch, TraceSearch } from '../model/traceSearch';
import { navigate } from '../router';
import type { WaterfallFocus } from './Waterfall';

function setParam(name: string, value: string | undefined): void {
  const url = new URL(location.href);
  if (value) url.searchParams.set(name, value);
  else url.searchParams.delete(name);
  navigate(url.pathname + url.search + url.hash, { replace: true });
}

export function useTraceSearch(report: TraceReport, keys: string[], params: URLSearchParams, select: (spanId: string) => void) {
  const query = params.get('q') ?? '';
  const criticalOnly = params.get('cp') === '1';
  const search = useMemo(() => new TraceSearch(report.spans), [report]);
  const found = useMemo(() => {
    if (!query.trim()) return undefined;
    const ids = search.find(parseSearch(query)).map((i) => report.spans[i]!.span_id);
    return { ids, set: new Set(ids) };
  }, [search, query]);
  // The free-text index is built in idle slices after the first paint, so typing finds it ready.
  const [ready, setReady] = useState(false);
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout>;
    const slice = () => {
      if (search.prepare(8)) setReady(true);
      else timer = setTimeout(slice, 0);
    };
    timer = setTimeout(slice, 0);
    return () => clearTimeout(timer);
  }, [search]);
  const [current, setCurrent] = useState(0);
  const [focus, setFocus] = useState<WaterfallFocus>();
  // From a keystroke to the frame showing its matches (shown as data-search-ms).
  const typedAt = useRef<number | undefined>(undefined);
  const [timing, setTiming] = useState<{ ms: number; seq: number }>();

  useLayoutEffect(() => {
    setCurrent(0);
    const first = found?.ids[0];
    if (first) {
      select(first);
      setFocus({ spanId: first, seq: performance.now() });
    }
    const since = typedAt.current;
    if (since === undefined) return;
    requestAnimationFrame(() => setTimeout(() => setTiming((t) => ({ ms: performance.now() - since, seq: (t?.seq ?? 0) + 1 })), 0));
  }, [found]);

  return {
    query,
    criticalOnly,
    keys,
    matches: found?.set,
    count: found?.ids.length,
    current,
    focus,
    /** The last search's time from keystroke to its matches drawn, and a count of searches timed. */
    timing,
    ready,
    setQuery: (q: string) => {
      typedAt.current = performance.now();
      setParam('q', q);
    },
    setCriticalOnly: (on: boolean) => setParam('cp', on ? '1' : undefined),
    step: (by: 1 | -1) => {
      if (!found?.ids.length) return;
      const next = (current + by + found.ids.length) % found.ids.length;
      setCurrent(next);
      select(found.ids[next]!);
      setFocus({ spanId: found.ids[next]!, seq: performance.now() });
    },
  };
}
