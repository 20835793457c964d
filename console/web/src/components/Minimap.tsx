// The whole trace in a strip above the waterfall: every row as a thin bar (search matches in
// amber), and a frame around the rows in view. Click or drag to move the waterfall there. One
// canvas, drawn once per change of rows, so a 50,000-span trace costs a few milliseconds. It
// only repeats what the waterfall shows (which the keyboard reaches), hence hidden from screen readers.
import { useEffect, useRef } from 'preact/hooks';
import { serviceColour } from '../model/colours';
import type { WaterfallItem } from '../model/traceView';

const HEIGHT = 56;
const MATCH = '#e8a200';

export function Minimap({
  items,
  matches,
  scrollTop,
  viewport,
  rowHeight,
  onScrollTo,
}: {
  items: WaterfallItem[];
  matches: ReadonlySet<string> | undefined;
  scrollTop: number;
  viewport: number;
  rowHeight: number;
  onScrollTo: (top: number) => void;
}) {
  const canvas = useRef<HTMLCanvasElement>(null);
  // Every row in its service's colour, drawn once per set of rows; a search only adds its matches on top.
  const base = useRef<{ items: WaterfallItem[]; image: HTMLCanvasElement }>(undefined);

  useEffect(() => {
    const element = canvas.current;
    const context = element?.getContext('2d');
    if (!element || !context) return;
    const width = element.clientWidth || 600;
    const scale = devicePixelRatio;
    // More rows than pixels: each pixel row × service becomes a coverage bitmap drawn as runs, so
    // 50,000 rows cost a few thousand rectangles, not 50,000.
    const paint = (target: CanvasRenderingContext2D, colourOf: (service: string) => string, keep: (id: string) => boolean) => {
      const pixelRows = Math.min(items.length, HEIGHT);
      const columns = Math.max(1, Math.ceil(width));
      const coverage = new Map<string, Uint8Array>();
      for (let i = 0; i < items.length; i++) {
        const item = items[i]!;
        if (item.kind !== 'span' || !keep(item.row.span.id)) continue;
        const { bar, span } = item.row;
        let cells = coverage.get(span.service);
        if (!cells) {
          cells = new Uint8Array(pixelRows * columns);
          coverage.set(span.service, cells);
        }
        const row = Math.min(pixelRows - 1, Math.floor((i / items.length) * pixelRows));
        const from = Math.min(columns - 1, Math.floor((bar.leftPct / 100) * columns));
        const to = Math.max(from + 1, Math.min(columns, Math.ceil(((bar.leftPct + bar.widthPct) / 100) * columns)));
        cells.fill(1, row * columns + from, row * columns + to);
      }
      const rowPx = HEIGHT / pixelRows;
      const barHeight = Math.max(1, Math.min(4, rowPx));
      for (const [service, cells] of coverage) {
        target.fillStyle = colourOf(service);
        for (let row = 0; row < pixelRows; row++) {
          for (let column = 0; column < columns; column++) {
            if (!cells[row * columns + column]) continue;
            const start = column;
            while (column < columns && cells[row * columns + column]) column++;
            target.fillRect(start, row * rowPx, column - start, barHeight);
          }
        }
      }
    };
    if (base.current?.items !== items || base.current.image.width !== width * scale) {
      const image = document.createElement('canvas');
      image.width = width * scale;
      image.height = HEIGHT * scale;
      const drawing = image.getContext('2d')!;
      drawing.scale(scale, scale);
      paint(drawing, serviceColour, () => true);
      base.current = { items, image };
    }
    element.width = width * scale;
    element.height = HEIGHT * scale;
    context.globalAlpha = matches ? 0.35 : 1;
    context.drawImage(base.current.image, 0, 0);
    context.globalAlpha = 1;
    if (!matches) return;
    context.scale(scale, scale);
    paint(
      context,
      () => MATCH,
      (id) => matches.has(id),
    );
  }, [items, matches]);

  const total = Math.max(1, items.length * rowHeight);
  const frameTop = (scrollTop / total) * HEIGHT;
  const frameHeight = Math.max(4, Math.min(HEIGHT, (viewport / total) * HEIGHT));

  const moveTo = (event: PointerEvent) => {
    const box = (event.currentTarget as HTMLElement).getBoundingClientRect();
    const y = Math.max(0, Math.min(HEIGHT, event.clientY - box.top));
    onScrollTo((y / HEIGHT) * total - viewport / 2);
  };

  return (
    <div
      class="minimap"
      aria-hidden="true"
      data-testid="minimap"
      onPointerDown={(event) => {
        (event.currentTarget as HTMLElement).setPointerCapture(event.pointerId);
        moveTo(event);
      }}
      onPointerMove={(event) => {
        if (event.buttons & 1) moveTo(event);
      }}
    >
      <canvas ref={canvas} style={{ height: `${HEIGHT}px` }} />
      <div class="minimap-frame" style={{ top: `${frameTop}px`, height: `${frameHeight}px` }} />
    </div>
  );
}
