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
    const rowPx = HEIGHT / Math.max(1, items.length);
    const barHeight = Math.max(1, Math.min(4, rowPx));
    const each = (draw: (i: number, x: number, w: number, service: string, id: string) => void) => {
      for (let i = 0; i < items.length; i++) {
        const item = items[i]!;
        if (item.kind !== 'span') continue;
        const { bar, span } = item.row;
        draw(i * rowPx, (bar.leftPct / 100) * width, Math.max(1, (bar.widthPct / 100) * width), span.service, span.id);
      }
    };
    if (base.current?.items !== items || base.current.image.width !== width * scale) {
      const image = document.createElement('canvas');
      image.width = width * scale;
      image.height = HEIGHT * scale;
      const drawing = image.getContext('2d')!;
      drawing.scale(scale, scale);
      const colours = new Map<string, string>();
      each((y, x, w, service) => {
        let colour = colours.get(service);
        if (!colour) {
          colour = serviceColour(service);
          colours.set(service, colour);
        }
        drawing.fillStyle = colour;
        drawing.fillRect(x, y, w, barHeight);
      });
      base.current = { items, image };
    }
    element.width = width * scale;
    element.height = HEIGHT * scale;
    context.globalAlpha = matches ? 0.35 : 1;
    context.drawImage(base.current.image, 0, 0);
    context.globalAlpha = 1;
    if (!matches) return;
    context.scale(scale, scale);
    context.fillStyle = MATCH;
    each((y, x, w, _service, id) => {
      if (matches.has(id)) context.fillRect(x, y, w, Math.max(2, barHeight));
    });
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
