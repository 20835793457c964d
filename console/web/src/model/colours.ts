// Service colours: fixed for tracelab's own services so every page agrees, then a palette for
// any other service. Every colour has at least 3:1 contrast on the white page (WCAG non-text
// contrast), and colour is never the only signal: rows and edges also carry the service's name.

const KNOWN: Record<string, string> = {
  gateway: '#1f6fbf',
  'model-inference': '#b35900',
  'fallback-rules': '#2e7d32',
};

const PALETTE = ['#7b3fa0', '#c2185b', '#00796b', '#5d4037', '#455a64', '#8d6e00', '#3949ab', '#ad1457'];

export function serviceColour(service: string): string {
  const known = KNOWN[service];
  if (known) return known;
  let hash = 0;
  for (let i = 0; i < service.length; i++) hash = (hash * 31 + service.charCodeAt(i)) >>> 0;
  return PALETTE[hash % PALETTE.length]!;
}

/** WCAG relative-luminance contrast ratio of two #rrggbb colours. */
export function contrastRatio(a: string, b: string): number {
  const luminance = (hex: string) => {
    const [r, g, bl] = [1, 3, 5].map((i) => {
      const c = Number.parseInt(hex.slice(i, i + 2), 16) / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r! + 0.7152 * g! + 0.0722 * bl!;
  };
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
}

export const SERVICE_PALETTE = [...Object.values(KNOWN), ...PALETTE];
