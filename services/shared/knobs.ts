// Runtime knobs: the settings a fault scenario turns while a service runs. Each knob is declared
// once, in knob-table.ts; this module derives from a declaration the environment schema (the
// value at start), the control schemas (runtime changes, cross-field rules as zod refinements)
// and the store a service reads its current values from.
import { z } from 'zod';

interface KnobBase {
  /** Environment variable that sets the value at start. */
  env: string;
  /** What turning this knob simulates, in one line (docs table). */
  simulates: string;
  /** Scenario names whose lessons turn this knob (docs/lessons/<name>.md). */
  lessons: readonly string[];
}

export interface NumberKnob extends KnobBase {
  type: 'number';
  min: number;
  max: number;
  integer?: boolean;
  unit?: string;
  default: number;
  /** Another number knob of the same service this one must never be below (p99 ≥ median). */
  atLeast?: string;
}

export interface BooleanKnob extends KnobBase {
  type: 'boolean';
  default: boolean;
}

export interface EnumKnob extends KnobBase {
  type: 'enum';
  values: readonly [string, ...string[]];
  default: string;
}

export type Knob = NumberKnob | BooleanKnob | EnumKnob;
export type KnobSet = Record<string, Knob>;

type ValueOf<K extends Knob> = K extends NumberKnob
  ? number
  : K extends BooleanKnob
    ? boolean
    : K extends EnumKnob
      ? K['values'][number]
      : never;

/** The current value of every knob of a set. */
export type KnobValues<S extends KnobSet> = { -readonly [name in keyof S]: ValueOf<S[name]> };

/** A control update: a new value, or null for "back to the value at start". */
export type KnobUpdate<S extends KnobSet> = { [name in keyof S]?: ValueOf<S[name]> | null };

function valueSchema(knob: Knob): z.ZodType {
  switch (knob.type) {
    case 'number': {
      const number = z.number().min(knob.min).max(knob.max);
      return knob.integer ? number.int() : number;
    }
    case 'boolean':
      return z.boolean();
    case 'enum':
      return z.enum(knob.values);
  }
}

function envSchema(knob: Knob): z.ZodType {
  switch (knob.type) {
    case 'number': {
      const number = z.coerce.number().min(knob.min).max(knob.max);
      return (knob.integer ? number.int() : number).default(knob.default);
    }
    case 'boolean':
      return z
        .enum(['true', 'false', '1', '0'])
        .transform((v) => v === 'true' || v === '1')
        .default(knob.default);
    case 'enum':
      return z.enum(knob.values).default(knob.default);
  }
}

/** Cross-field rules of a set, as a zod refinement: each `atLeast` knob must not fall below its floor. */
function refineOrder<S extends KnobSet>(knobs: S) {
  return (values: Record<string, unknown>, ctx: z.RefinementCtx) => {
    for (const [name, knob] of Object.entries(knobs)) {
      if (knob.type !== 'number' || !knob.atLeast) continue;
      const floor = values[knob.atLeast] as number;
      if ((values[name] as number) < floor) {
        ctx.addIssue({ code: 'custom', path: [name], message: `${name} must be >= ${knob.atLeast} (${floor})` });
      }
    }
  };
}

/** The whole state of a set: every knob present and valid, cross-field rules hold. */
export function stateSchema<S extends KnobSet>(knobs: S): z.ZodType<KnobValues<S>> {
  const shape = Object.fromEntries(Object.entries(knobs).map(([name, knob]) => [name, valueSchema(knob)]));
  return z.strictObject(shape).superRefine(refineOrder(knobs)) as unknown as z.ZodType<KnobValues<S>>;
}

/** A control update: any subset of the knobs, each a valid value or null; unknown names are refused. */
export function updateSchema<S extends KnobSet>(knobs: S): z.ZodType<KnobUpdate<S>> {
  const shape = Object.fromEntries(Object.entries(knobs).map(([name, knob]) => [name, valueSchema(knob).nullable().optional()]));
  return z.strictObject(shape) as unknown as z.ZodType<KnobUpdate<S>>;
}

/** The environment variables of a set, to spread into a service's config schema. */
export function envShape(knobs: KnobSet): Record<string, z.ZodType> {
  return Object.fromEntries(Object.values(knobs).map((knob) => [knob.env, envSchema(knob)]));
}

/**
 * The values at start, from a parsed config. A knob below its `atLeast` floor is raised to it
 * (setting only MODEL_LATENCY_MEDIAN_MS above the default p99 keeps working, as it always has).
 */
export function valuesFromEnv<S extends KnobSet>(knobs: S, config: Record<string, unknown>): KnobValues<S> {
  const values: Record<string, unknown> = Object.fromEntries(Object.entries(knobs).map(([name, knob]) => [name, config[knob.env]]));
  for (const [name, knob] of Object.entries(knobs)) {
    if (knob.type === 'number' && knob.atLeast) values[name] = Math.max(values[name] as number, values[knob.atLeast] as number);
  }
  return stateSchema(knobs).parse(values);
}

export function defaultValues<S extends KnobSet>(knobs: S): KnobValues<S> {
  return Object.fromEntries(Object.entries(knobs).map(([name, knob]) => [name, knob.default])) as KnobValues<S>;
}

export type UpdateResult<S extends KnobSet> = { ok: true; values: KnobValues<S> } | { ok: false; error: z.ZodError };

/** After an accepted update: the new values, the values before, and the knobs the update named. */
export type KnobListener<S extends KnobSet> = (values: KnobValues<S>, before: KnobValues<S>, touched: readonly string[]) => void;

/** A service's current knob values: read at the moment of use, changed through the control endpoint. */
export class KnobStore<S extends KnobSet> {
  private current: KnobValues<S>;
  private readonly listeners: KnobListener<S>[] = [];
  private readonly schema: z.ZodType<KnobValues<S>>;

  constructor(
    readonly knobs: S,
    /** The values at start; a null in an update restores these. */
    readonly baseline: KnobValues<S>,
  ) {
    this.schema = stateSchema(knobs);
    this.current = { ...baseline };
  }

  get values(): Readonly<KnobValues<S>> {
    return this.current;
  }

  /** Applies an already shape-checked update if the merged state is valid; never half-applies. */
  update(update: KnobUpdate<S>): UpdateResult<S> {
    const merged: Record<string, unknown> = { ...this.current };
    for (const [name, value] of Object.entries(update)) {
      if (value !== undefined) merged[name] = value === null ? this.baseline[name] : value;
    }
    const parsed = this.schema.safeParse(merged);
    if (!parsed.success) return { ok: false, error: parsed.error };
    const before = this.current;
    this.current = parsed.data;
    const touched = Object.keys(update).filter((name) => update[name] !== undefined);
    for (const listener of this.listeners) listener(this.current, before, touched);
    return { ok: true, values: this.current };
  }

  /** Called after every accepted update (for knobs that rebuild something, such as a pool). */
  onChange(listener: KnobListener<S>): void {
    this.listeners.push(listener);
  }
}
