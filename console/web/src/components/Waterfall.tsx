// The waterfall: a virtualised tree of span rows (only the rows in view are in the DOM, so a
// 5,000-span trace draws as fast as a small one), bars to scale in service colours, the critical
// path drawn over the bars, and the trace's log lines under their spans. Keyboard: ↑/↓ move,
// → expands or steps into, ← collapses or steps out, Home/End, Enter toggles.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { PlacedLogLine } from '../../../../analysis';
import { serviceColour } from '../model/colours';
import { formatDuration, timeTicks } from '../model/timeAxis';
import { type WaterfallItem, waterfallItems } from '../model/traceView';
import { type Bar, labelPlacement, visibleRows, type WaterfallModel } from '../model/waterfall';
import { Minimap } from './Minimap';

const ROW_HEIGHT = 24;
const OVERSCAN = 10;

const severityClass = (severity: string) =>
  /^(warn|warning)$/i.test(severity) ? 'sev-warn' : /^(error|fatal)$/i.test(severity) ? 'sev-error' : '';

/** A duration label beside (or, for a bar filling the track, inside) its bar: never cut off at the edge. */
function labelStyle(bar: Bar, colour = 'transparent'): { class: string; style: Record<string, string> } {
  const end = bar.leftPct + bar.widthPct;
  switch (labelPlacement(bar)) {
    case 'after':
      return { class: 'wf-dur', style: { left: `${end}%` } };
    case 'before':
      return { class: 'wf-dur before', style: { right: `${100 - bar.leftPct}%` } };
    case 'inside':
      return { class: 'wf-dur inside', style: { right: `${100 - end}%`, background: colour } };
  }
}

function itemId(item: WaterfallItem, i: number): string {
  return item.kind === 'span' ? `wf-span-${item.row.span.id}` : `wf-log-${i}`;
}

/** A span to bring into view (unfolding its ancestors); `seq` makes asking twice for one span move again. */
export interface WaterfallFocus {
  spanId: string;
  seq: number;
}

export function Waterfall({
  model,
  logs,
  selected,
  onSelect,
  matches,
  criticalOnly = false,
  focus,
}: {
  model: WaterfallModel;
  logs: PlacedLogLine[];
  selected: string | undefined;
  onSelect: (spanId: string) => void;
  /** Spans a search found: highlighted, the others dimmed; undefined when nothing is searched. */
  matches?: ReadonlySet<string> | undefined;
  /** Only the spans on the critical path. */
  criticalOnly?: boolean;
  focus?: WaterfallFocus | undefined;
}) {
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(new Set());
  const [showLogs, setShowLogs] = useState(true);
  const [active, setActive] = useState(0);
  const [scrollTop, setScrollTop] = useState(0);
  const [viewport, setViewport] = useState(600);
  const body = useRef<HTMLDivElement>(null);

  // Span id → row index, built the first time a span is brought into view (a search), not before the first paint.
  const indexOf = useRef<{ model: WaterfallModel; index: Map<string, number> }>(undefined);
  const rows = useMemo(() => {
    const all = visibleRows(model, collapsed);
    return criticalOnly ? all.filter((row) => row.onCriticalPath || row.critical.length > 0) : all;
  }, [model, collapsed, criticalOnly]);
  const items = useMemo(() => waterfallItems(rows, logs, showLogs), [rows, logs, showLogs]);
  const ticks = useMemo(() => timeTicks(model.durationMs, 6), [model.durationMs]);

  // Bring the focused span into view: unfold its ancestors, then scroll to its row.
  useEffect(() => {
    if (!focus) return;
    if (indexOf.current?.model !== model) indexOf.current = { model, index: new Map(model.spans.map((span, i) => [span.id, i])) };
    const index = indexOf.current.index.get(focus.spanId);
    if (index === undefined) return;
    setCollapsed((current) => {
      let next: Set<string> | undefined;
      for (let p = model.parent[index]!; p >= 0; p = model.parent[p]!) {
        const id = model.spans[p]!.id;
        if (!current.has(id)) continue;
        next ??= new Set(current);
        next.delete(id);
      }
      return next ?? current;
    });
  }, [focus, model]);
  const scrolledFor = useRef<WaterfallFocus | undefined>(undefined);
  useEffect(() => {
    if (!focus || scrolledFor.current === focus) return;
    const i = items.findIndex((item) => item.kind === 'span' && item.row.span.id === focus.spanId);
    const element = body.current;
    if (i < 0 || !element) return;
    scrolledFor.current = focus;
    setActive(i);
    const top = i * ROW_HEIGHT;
    if (top < element.scrollTop || top + ROW_HEIGHT > element.scrollTop + element.clientHeight)
      element.scrollTop = Math.max(0, top - element.clientHeight / 2);
  }, [focus, items]);

  useEffect(() => {
    const element = body.current;
    if (!element) return;
    setViewport(element.clientHeight || 600);
    const observer = new ResizeObserver(() => setViewport(element.clientHeight || 600));
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  const activeIndex = Math.min(active, Math.max(0, items.length - 1));
  const toggle = (spanId: string) =>
    setCollapsed((current) => {
      const next = new Set(current);
      if (next.has(spanId)) next.delete(spanId);
      else next.add(spanId);
      return next;
    });

  const moveTo = (index: number) => {
    const i = Math.max(0, Math.min(items.length - 1, index));
    setActive(i);
    const item = items[i];
    if (item?.kind === 'span') onSelect(item.row.span.id);
    const element = body.current;
    if (element) {
      const top = i * ROW_HEIGHT;
      if (top < element.scrollTop) element.scrollTop = top;
      else if (top + ROW_HEIGHT > element.scrollTop + element.clientHeight) element.scrollTop = top + ROW_HEIGHT - element.clientHeight;
    }
  };

  const onKeyDown = (event: KeyboardEvent) => {
    const item = items[activeIndex];
    if (!item) return;
    const page = Math.max(1, Math.floor(viewport / ROW_HEIGHT) - 1);
    switch (event.key) {
      case 'ArrowDown':
        moveTo(activeIndex + 1);
        break;
      case 'ArrowUp':
        moveTo(activeIndex - 1);
        break;
      case 'PageDown':
        moveTo(activeIndex + page);
        break;
      case 'PageUp':
        moveTo(activeIndex - page);
        break;
      case 'Home':
        moveTo(0);
        break;
      case 'End':
        moveTo(items.length - 1);
        break;
      case 'ArrowRight':
        if (item.kind === 'span' && item.row.collapsed) toggle(item.row.span.id);
        else moveTo(activeIndex + 1);
        break;
      case 'ArrowLeft': {
        if (item.kind === 'span' && item.row.childCount > 0 && !item.row.collapsed) {
          toggle(item.row.span.id);
          break;
        }
        const parentSpan = item.kind === 'log' ? item.spanId : model.spans[model.parent[item.row.index]!]?.id;
        const target = items.findIndex((it) => it.kind === 'span' && it.row.span.id === parentSpan);
        if (target >= 0) moveTo(target);
        break;
      }
      case 'Enter':
      case ' ':
        if (item.kind === 'span' && item.row.childCount > 0) toggle(item.row.span.id);
        break;
      default:
        return;
    }
    event.preventDefault();
  };

  // One click handler for all rows (they come and go as the list scrolls).
  const onClick = (event: MouseEvent) => {
    const target = event.target as HTMLElement;
    const rowElement = target.closest<HTMLElement>('[data-index]');
    if (!rowElement) return;
    const index = Number(rowElement.dataset.index);
    const item = items[index];
    if (!item) return;
    setActive(index);
    if (item.kind !== 'span') return;
    if (target.closest('.wf-toggle') && item.row.childCount) toggle(item.row.span.id);
    else onSelect(item.row.span.id);
  };

  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(items.length, Math.ceil((scrollTop + viewport) / ROW_HEIGHT) + OVERSCAN);
  const rendered: preact.JSX.Element[] = [];
  for (let i = first; i < last; i++) {
    const item = items[i]!;
    const top = i * ROW_HEIGHT;
    if (item.kind === 'log') {
      const log = item.log;
      const left = Math.min(100, Math.max(0, (log.time_ms / (model.durationMs || 1)) * 100));
      rendered.push(
        <div
          key={`log-${i}`}
          id={itemId(item, i)}
          role="treeitem"
          aria-level={item.depth + 1}
          aria-selected={false}
          class={`wf-row log${i === activeIndex ? ' active' : ''}`}
          style={{ top: `${top}px` }}
          data-log-span-id={item.spanId ?? ''}
          data-index={i}
          tabIndex={-1}
        >
          <div class="wf-name" style={{ paddingLeft: `${item.depth * 14 + 20}px` }}>
            <span class={severityClass(log.severity)}>[{log.severity}]</span>&nbsp;
            <span class="op" title={log.message}>
              {log.message}
            </span>
          </div>
          <div class="wf-track" aria-hidden="true">
            <span class="wf-logdot" style={{ left: `${left}%` }} />
            <span {...labelStyle({ leftPct: left, widthPct: 0 })}>
              {log.service} · {formatDuration(log.time_ms)}
            </span>
          </div>
        </div>,
      );
      continue;
    }
    const { row } = item;
    const span = row.span;
    const colour = serviceColour(span.service);
    rendered.push(
      <div
        key={span.id}
        id={itemId(item, i)}
        role="treeitem"
        aria-level={span.depth + 1}
        aria-expanded={row.childCount ? !row.collapsed : undefined}
        aria-selected={span.id === selected}
        class={`wf-row${i === activeIndex ? ' active' : ''}${matches ? (matches.has(span.id) ? ' match' : ' dimmed') : ''}`}
        style={{ top: `${top}px` }}
        data-span-id={span.id}
        data-service={span.service}
        data-critical={row.onCriticalPath}
        data-index={i}
        tabIndex={-1}
      >
        <div class="wf-name" style={{ paddingLeft: `${span.depth * 14}px` }}>
          <span class="wf-toggle" aria-hidden="true">
            {row.childCount ? (row.collapsed ? '▸' : '▾') : ''}
          </span>
          <span class="swatch" style={{ background: colour }} aria-hidden="true" />
          <span class="svc">{span.service}</span>
          <span class="op">{span.operation}</span>
          {row.collapsed ? <span class="dim">(+{model.subtreeEnd[row.index]! - row.index - 1})</span> : null}
          {row.onCriticalPath ? (
            <span class="badge badge-critical" title="on the critical path">
              CP<span class="sr-only"> (on the critical path)</span>
            </span>
          ) : null}
          {span.error ? (
            <span class="badge badge-error" title="error status">
              <span aria-hidden="true">⚠</span>
              <span class="sr-only">error</span>
            </span>
          ) : null}
          {span.skew ? (
            <span class="badge badge-skew" title={span.skew} data-testid="skew-mark">
              <span aria-hidden="true">⏱</span>
              <span class="sr-only">clock skew</span>
            </span>
          ) : null}
        </div>
        <div class="wf-track">
          <span
            class={`wf-bar${span.error ? ' error' : ''}`}
            style={{ left: `${row.bar.leftPct}%`, width: `${row.bar.widthPct}%`, background: colour }}
          />
          {row.critical.map((c, k) => (
            <span key={k} class="wf-crit" style={{ left: `${c.leftPct}%`, width: `${c.widthPct}%` }} />
          ))}
          <span {...labelStyle(row.bar, colour)}>{formatDuration(span.durationMs)}</span>
        </div>
      </div>,
    );
  }

  return (
    <section class="waterfall" aria-label="Waterfall">
      <div class="legend">
        <span>
          <span class="crit-sample" aria-hidden="true" /> critical path (rows marked <span class="badge badge-critical">CP</span>)
        </span>
        <span>
          <span class="badge badge-error">⚠</span> error
        </span>
        <label>
          <input type="checkbox" checked={showLogs} onChange={() => setShowLogs(!showLogs)} /> log lines under their spans ({logs.length})
        </label>
        <button type="button" onClick={() => setCollapsed(new Set())}>
          Expand all
        </button>
        <span class="dim">Keys: ↑ ↓ move, ← → fold, Enter toggles</span>
      </div>
      <Minimap
        items={items}
        matches={matches}
        scrollTop={scrollTop}
        viewport={viewport}
        rowHeight={ROW_HEIGHT}
        onScrollTo={(top) => {
          if (body.current) body.current.scrollTop = Math.max(0, top);
        }}
      />
      <div class="wf-axis" aria-hidden="true">
        <div class="wf-name">Service · operation</div>
        <div class="ticks">
          {ticks.map((t) => (
            <span key={t.ms} class="tick" style={{ left: `${t.pct}%` }}>
              {t.label}
            </span>
          ))}
        </div>
      </div>
      <div
        ref={body}
        class="wf-body"
        role="tree"
        aria-label="Spans of the trace"
        tabIndex={0}
        aria-activedescendant={items[activeIndex] ? itemId(items[activeIndex]!, activeIndex) : undefined}
        onKeyDown={onKeyDown}
        onClick={onClick}
        onScroll={(event) => setScrollTop((event.currentTarget as HTMLDivElement).scrollTop)}
      >
        <div style={{ height: `${items.length * ROW_HEIGHT}px`, position: 'relative' }}>{rendered}</div>
      </div>
    </section>
  );
}
