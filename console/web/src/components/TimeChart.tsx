// A time-series chart (uPlot) with optional exemplar dots: each dot is one traced request, drawn
// at its time and value, and opens its trace when clicked. The exemplars are also listed as
// links under the chart, the keyboard- and screen-reader-friendly way to the same traces.
import 'uplot/dist/uPlot.min.css';
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import { formatDuration } from '../model/timeAxis';
import { navigate } from '../router';

export interface ChartSeries {
  label: string;
  colour: string;
  /** [unix seconds, value] pairs. */
  points: [number, number][];
}

export interface ExemplarDot {
  t: number;
  value: number;
  traceId: string;
}

export type Unit = 'ms' | 'req/s' | '%' | 'ratio' | 'count';

export function formatValue(value: number | null | undefined, unit: Unit): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  if (unit === 'ms') return formatDuration(value);
  if (unit === '%') return `${value.toFixed(value < 10 ? 1 : 0)} %`;
  if (unit === 'req/s') return `${value < 10 ? value.toFixed(2) : value.toFixed(0)} req/s`;
  return value < 10 ? value.toFixed(3) : value.toFixed(0);
}

/** Series on one shared, sorted time axis (uPlot's data layout); gaps are null. */
export function alignSeries(series: ChartSeries[]): uPlot.AlignedData {
  const times = [...new Set(series.flatMap((s) => s.points.map(([t]) => t)))].sort((a, b) => a - b);
  const index = new Map(times.map((t, i) => [t, i]));
  const columns = series.map((s) => {
    const column: (number | null)[] = new Array(times.length).fill(null);
    for (const [t, v] of s.points) column[index.get(t)!] = Number.isFinite(v) ? v : null;
    return column;
  });
  return [times, ...columns] as uPlot.AlignedData;
}

const DOT_RADIUS = 4;

export function TimeChart({
  title,
  unit,
  series,
  exemplars = [],
}: {
  title: string;
  unit: Unit;
  series: ChartSeries[];
  exemplars?: ExemplarDot[];
}) {
  const host = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = host.current;
    if (!element) return;
    let dots: { x: number; y: number; traceId: string }[] = [];
    const drawExemplars = (u: uPlot) => {
      const ctx = u.ctx;
      dots = [];
      ctx.save();
      for (const e of exemplars) {
        const x = u.valToPos(e.t, 'x', true);
        const y = u.valToPos(e.value, 'y', true);
        if (x < u.bbox.left || x > u.bbox.left + u.bbox.width || y < u.bbox.top || y > u.bbox.top + u.bbox.height) continue;
        dots.push({ x: x / devicePixelRatio, y: y / devicePixelRatio, traceId: e.traceId });
        ctx.beginPath();
        ctx.arc(x, y, DOT_RADIUS * devicePixelRatio, 0, 2 * Math.PI);
        ctx.fillStyle = '#fff';
        ctx.fill();
        ctx.lineWidth = 2 * devicePixelRatio;
        ctx.strokeStyle = '#6a1b9a';
        ctx.stroke();
      }
      ctx.restore();
    };
    const plot = new uPlot(
      {
        width: Math.max(280, element.clientWidth),
        height: 180,
        legend: { show: true },
        cursor: { drag: { x: false, y: false } },
        scales: { x: { time: true }, y: { range: (_u, min, max) => [Math.min(0, min ?? 0), max && max > 0 ? max * 1.1 : 1] } },
        axes: [{}, { size: 70, values: (_u, values) => values.map((v) => formatValue(v, unit)) }],
        series: [
          {},
          ...series.map((s) => ({
            label: s.label,
            stroke: s.colour,
            width: 2,
            spanGaps: false,
            value: (_u: uPlot, v: number | null) => formatValue(v, unit),
          })),
        ],
        hooks: { draw: [drawExemplars] },
      },
      alignSeries(series),
      element,
    );
    const onClick = (event: MouseEvent) => {
      const rect = plot.over.getBoundingClientRect();
      const x = event.clientX - rect.left + plot.bbox.left / devicePixelRatio;
      const y = event.clientY - rect.top + plot.bbox.top / devicePixelRatio;
      const hit = dots.find((d) => Math.hypot(d.x - x, d.y - y) <= DOT_RADIUS + 3);
      if (hit) navigate(`/trace/${hit.traceId}`);
    };
    plot.over.addEventListener('click', onClick);
    const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(280, element.clientWidth), height: 180 }));
    resize.observe(element);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [series, exemplars, unit]);

  const latest = series.map((s) => `${s.label} ${formatValue(s.points.at(-1)?.[1], unit)}`).join(', ');
  return (
    <figure class="chart">
      <figcaption>{title}</figcaption>
      <div ref={host} role="img" aria-label={`${title}: ${series.length ? `latest ${latest}` : 'no data'}`} />
      {series.every((s) => !s.points.length) ? <p class="hint">No data in this range yet: send some traffic.</p> : null}
      {exemplars.length ? (
        <details class="exemplars">
          <summary>
            {exemplars.length} exemplar{exemplars.length > 1 ? 's' : ''} (traced requests, ◯ on the chart)
          </summary>
          <ul>
            {exemplars
              .slice()
              .sort((a, b) => b.value - a.value)
              .slice(0, 20)
              .map((e) => (
                <li key={`${e.traceId}-${e.t}`}>
                  <a href={`/trace/${e.traceId}`} class="mono">
                    {formatValue(e.value, unit)} at {new Date(e.t * 1000).toLocaleTimeString()} · {e.traceId.slice(0, 12)}…
                  </a>
                </li>
              ))}
          </ul>
        </details>
      ) : null}
    </figure>
  );
}
