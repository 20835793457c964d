// Service colours, the same for a service on every page. The palette is 16 colours chosen to be
// told apart (CIEDE2000 ΔE ≥ 15 between every pair, checked by test/unit/console/colours) and to
// read on the white page with white text on them (WCAG contrast ≥ 4.5:1). Slots are handed out
// in one order: tracelab's own services (services/registry.ts, registry order) take the first
// ones, then every other service the next free slot in the order the console first meets it,
// remembered in localStorage so that a service keeps its colour across pages and visits. Colour
// is never the only signal: rows, chips and edges also carry the service's name.
import { SERVICE_NAMES } from '../../../../services/registry';

export const SERVICE_PALETTE = [
  '#1f6fbf',
  '#b35900',
  '#2e7d32',
  '#cc00cc',
  '#665566',
  '#005555',
  '#1111ee',
  '#665500',
  '#990055',
  '#777766',
  '#664433',
  '#bb5566',
  '#7766bb',
  '#445533',
  '#663388',
  '#445566',
] as const;

/** Services remembered beyond the registry's; the oldest are forgotten past this many. */
const REMEMBERED = 200;
const STORAGE_KEY = 'tracelab.console.service-colours';

export type ColourStorage = Pick<Storage, 'getItem' | 'setItem'>;

/** Hands out palette slots: registry services first, then others in order of first appearance. */
export class ServiceColours {
  private readonly slots = new Map<string, number>();
  private readonly others: string[];

  constructor(
    registry: readonly string[],
    private readonly storage?: ColourStorage,
  ) {
    for (const service of registry) this.slots.set(service, this.slots.size);
    this.others = this.read().filter((service) => !this.slots.has(service));
    for (const service of this.others) this.slots.set(service, this.slots.size);
  }

  /** Gives each service, in this order, a slot if it has none yet (call with a trace's services in start order). */
  meet(services: Iterable<string>): void {
    let added = false;
    for (const service of services) {
      if (this.slots.has(service)) continue;
      this.slots.set(service, this.slots.size);
      this.others.push(service);
      added = true;
    }
    if (added) this.write();
  }

  colour(service: string): string {
    this.meet([service]);
    return SERVICE_PALETTE[this.slots.get(service)! % SERVICE_PALETTE.length]!;
  }

  private read(): string[] {
    try {
      const stored: unknown = JSON.parse(this.storage?.getItem(STORAGE_KEY) ?? '[]');
      return Array.isArray(stored) ? stored.filter((s): s is string => typeof s === 'string') : [];
    } catch {
      return [];
    }
  }

  private write(): void {
    try {
      this.storage?.setItem(STORAGE_KEY, JSON.stringify(this.others.slice(-REMEMBERED)));
    } catch {
      // Storage full or disabled: colours stay stable for this page's life only.
    }
  }
}

const browserStorage = (): ColourStorage | undefined => {
  try {
    return globalThis.localStorage;
  } catch {
    return undefined; // access denied (privacy settings)
  }
};

const shared = new ServiceColours(SERVICE_NAMES, browserStorage());

export const serviceColour = (service: string): string => shared.colour(service);

/** Gives a trace's services their slots in the trace's order (first span first), before drawing. */
export const meetServices = (services: Iterable<string>): void => shared.meet(services);

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
