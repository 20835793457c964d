import { describe, expect, it } from 'vitest';
import { type Delivery, firingAlerts } from '../../../console/web/src/model/alerts';
import { type ColourStorage, contrastRatio, SERVICE_PALETTE, ServiceColours, serviceColour } from '../../../console/web/src/model/colours';
import { SERVICE_NAMES } from '../../../services/registry';

type Lab = [number, number, number];

/** sRGB #rrggbb → CIELAB (D65). */
function labOf(hex: string): Lab {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = Number.parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as Lab;
  const f = (t: number) => (t > 216 / 24389 ? Math.cbrt(t) : ((24389 / 27) * t + 16) / 116);
  const x = f((0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047);
  const y = f(0.2126 * r + 0.7152 * g + 0.0722 * b);
  const z = f((0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883);
  return [116 * y - 16, 500 * (x - y), 200 * (y - z)];
}

/** CIEDE2000 colour difference (Sharma, Wu & Dalal 2005). */
function deltaE2000([L1, a1, b1]: Lab, [L2, a2, b2]: Lab): number {
  const rad = Math.PI / 180;
  const meanC = (Math.hypot(a1, b1) + Math.hypot(a2, b2)) / 2;
  const G = 0.5 * (1 - Math.sqrt(meanC ** 7 / (meanC ** 7 + 25 ** 7)));
  const [a1p, a2p] = [a1 * (1 + G), a2 * (1 + G)];
  const [C1, C2] = [Math.hypot(a1p, b1), Math.hypot(a2p, b2)];
  const hue = (b: number, a: number) => (a === 0 && b === 0 ? 0 : (Math.atan2(b, a) / rad + 360) % 360);
  const [h1, h2] = [hue(b1, a1p), hue(b2, a2p)];
  let dh = C1 * C2 === 0 ? 0 : h2 - h1;
  if (dh > 180) dh -= 360;
  else if (dh < -180) dh += 360;
  const dL = L2 - L1;
  const dC = C2 - C1;
  const dH = 2 * Math.sqrt(C1 * C2) * Math.sin((dh / 2) * rad);
  const L = (L1 + L2) / 2;
  const C = (C1 + C2) / 2;
  let h = h1 + h2;
  if (C1 * C2 !== 0) h = Math.abs(h1 - h2) > 180 ? (h1 + h2 + (h1 + h2 < 360 ? 360 : -360)) / 2 : (h1 + h2) / 2;
  const T =
    1 -
    0.17 * Math.cos((h - 30) * rad) +
    0.24 * Math.cos(2 * h * rad) +
    0.32 * Math.cos((3 * h + 6) * rad) -
    0.2 * Math.cos((4 * h - 63) * rad);
  const SL = 1 + (0.015 * (L - 50) ** 2) / Math.sqrt(20 + (L - 50) ** 2);
  const SC = 1 + 0.045 * C;
  const SH = 1 + 0.015 * C * T;
  const RT = -2 * Math.sqrt(C ** 7 / (C ** 7 + 25 ** 7)) * Math.sin(60 * Math.exp(-(((h - 275) / 25) ** 2)) * rad);
  return Math.sqrt((dL / SL) ** 2 + (dC / SC) ** 2 + (dH / SH) ** 2 + RT * (dC / SC) * (dH / SH));
}

const memoryStorage = (): ColourStorage & { data: Map<string, string> } => {
  const data = new Map<string, string>();
  return { data, getItem: (k) => data.get(k) ?? null, setItem: (k, v) => void data.set(k, v) };
};

describe('service colours', () => {
  it('compute CIEDE2000 as its authors’ test data says', () => {
    expect(deltaE2000([50, 2.6772, -79.7751], [50, 0, -82.7485])).toBeCloseTo(2.0425, 4);
    expect(deltaE2000([50, 2.5, 0], [73, 25, -18])).toBeCloseTo(27.1492, 4);
    expect(deltaE2000([22.7233, 20.0904, -46.694], [23.0331, 14.973, -42.5619])).toBeCloseTo(2.0373, 4);
  });

  it('are at least 12 colours, every pair far apart (CIEDE2000 ΔE ≥ 15), and far from the error red and critical black', () => {
    expect(SERVICE_PALETTE.length).toBeGreaterThanOrEqual(12);
    expect(new Set(SERVICE_PALETTE).size).toBe(SERVICE_PALETTE.length);
    for (const [i, a] of SERVICE_PALETTE.entries()) {
      for (const b of SERVICE_PALETTE.slice(i + 1)) expect(deltaE2000(labOf(a), labOf(b)), `${a} vs ${b}`).toBeGreaterThanOrEqual(15);
      for (const reserved of ['#b3261e', '#111111'])
        expect(deltaE2000(labOf(a), labOf(reserved)), `${a} vs ${reserved}`).toBeGreaterThanOrEqual(15);
    }
  });

  it('read on the white page and carry white text (WCAG contrast ≥ 4.5:1)', () => {
    expect(contrastRatio('#000000', '#ffffff')).toBeCloseTo(21, 5);
    for (const colour of SERVICE_PALETTE) expect(contrastRatio(colour, '#ffffff'), colour).toBeGreaterThanOrEqual(4.5);
  });

  it('give the registry’s services the first slots in registry order, on every page', () => {
    expect(SERVICE_NAMES.map(serviceColour)).toEqual(SERVICE_PALETTE.slice(0, SERVICE_NAMES.length));
    expect(serviceColour('gateway')).toBe(serviceColour('gateway'));
  });

  it('give other services the next free slots in order of first appearance, remembered across pages', () => {
    const storage = memoryStorage();
    const first = new ServiceColours(['a', 'b'], storage);
    const foreign = Array.from({ length: SERVICE_PALETTE.length - 2 }, (_, i) => `svc-${i}`);
    first.meet(foreign);
    const colours = ['a', 'b', ...foreign].map((s) => first.colour(s));
    expect(new Set(colours).size).toBe(SERVICE_PALETTE.length);
    // Another page (a new instance on the same storage) meeting them in another order agrees.
    const second = new ServiceColours(['a', 'b'], storage);
    expect([...foreign].reverse().map((s) => second.colour(s))).toEqual(colours.slice(2).reverse());
    // A service met later takes the next slot, wrapping round the palette.
    expect(second.colour('late')).toBe(SERVICE_PALETTE[0]);
    expect(new ServiceColours(['a', 'b'], storage).colour('late')).toBe(SERVICE_PALETTE[0]);
  });

  it('survive storage that is broken or holds garbage', () => {
    const storage = memoryStorage();
    storage.data.set('tracelab.console.service-colours', '{not json');
    expect(new ServiceColours(['a'], storage).colour('x')).toBe(SERVICE_PALETTE[1]);
    const failing: ColourStorage = {
      getItem: () => {
        throw new Error('denied');
      },
      setItem: () => {
        throw new Error('full');
      },
    };
    expect(new ServiceColours(['a'], failing).colour('x')).toBe(SERVICE_PALETTE[1]);
  });
});

const delivery = (status: string, alertname: string, receivedAt: string): Delivery => ({
  receiver: 'default',
  receivedAt,
  payload: { status, alerts: [{ status, labels: { alertname, severity: 'page' }, annotations: { summary: `${alertname} summary` } }] },
});

describe('firing alerts', () => {
  it('keeps the latest state of each alert: resolved ones drop out', () => {
    const alerts = firingAlerts([
      delivery('firing', 'ModelUnavailableFallbackServing', '1'),
      delivery('firing', 'GatewayLatencySLOBurn', '2'),
      delivery('resolved', 'GatewayLatencySLOBurn', '3'),
    ]);
    expect(alerts.map((a) => a.name)).toEqual(['ModelUnavailableFallbackServing']);
    expect(alerts[0]!.runbookAnchor).toBe('modelunavailablefallbackserving');
    expect(alerts[0]!.tracesUrl).toContain('tracelab.source');
    expect(firingAlerts([])).toEqual([]);
  });
});
