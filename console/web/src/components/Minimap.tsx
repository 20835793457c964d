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

  useEffect(() => {
    const element = canvas.current;
    const context = element?.getContext('2d');
    if (!element || !context) return;
    const width = element.clientWidth || 600;
    element.width = width * devicePixelRatio;
    element.height = HEIGHT * devicePixelRatio;
    context.scale(devicePixelRatio, devicePixelRatio);
    context.clearRect(0, 0, width, HEIGHT);
    const rowPx = HEIGHT / Math.max(1, items.length);
    const barHeight = Math.max(1, Math.min(4, rowPx));
    for (let i = 0; i < items.length; i++) {
      const item = items[i]!;
      if (item.kind !== 'span') continue;
      const { bar, span } = item.row;
      const matched = matches?.has(span.id);
      context.fillStyle = matched ? MATCH : serviceColour(span.service);
      context.globalAlpha = matches && !matched ? 0.35 : 1;
      context.fillRect(
        (bar.leftPct / 100) * width,
        i * rowPx,
        Math.max(1, (bar.widthPct / 100) * width),
        matched ? Math.max(2, barHeight) : barHeight,
      );
    }
    context.globalAlpha = 1;
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
