// The knob table and what is derived from it: environment parsing, the control schemas with
// their cross-field rules, the store's update semantics, and the docs table.
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { KNOBS_DOC, renderKnobTable, withKnobTable } from '../../lab/knob-docs';
import { KNOB_TABLE } from '../../services/shared/knob-table';
import { defaultValues, envShape, type KnobSet, KnobStore, stateSchema, updateSchema, valuesFromEnv } from '../../services/shared/knobs';

const MODEL = KNOB_TABLE['model-inference'];
const sample = {
  delay_ms: { type: 'number', min: 0, max: 1000, integer: true, default: 10, env: 'S_DELAY', simulates: 'x', lessons: [] },
  delay_p99_ms: { type: 'number', min: 0, max: 1000, default: 50, atLeast: 'delay_ms', env: 'S_P99', simulates: 'x', lessons: [] },
  enabled: { type: 'boolean', default: false, env: 'S_ENABLED', simulates: 'x', lessons: [] },
  mode: { type: 'enum', values: ['off', 'on'], default: 'off', env: 'S_MODE', simulates: 'x', lessons: [] },
} as const satisfies KnobSet;

const fromEnv = (env: Record<string, string>) => valuesFromEnv(sample, z.object(envShape(sample)).parse(env));

describe('the knob table', () => {
  it('gives every knob a unique environment variable, a default inside its range and a lesson', () => {
    const envs = Object.values(KNOB_TABLE).flatMap((knobs) => Object.values(knobs).map((k) => k.env));
    expect(new Set(envs).size).toBe(envs.length);
    for (const knobs of Object.values(KNOB_TABLE)) {
      expect(stateSchema(knobs).safeParse(defaultValues(knobs)).success).toBe(true);
      for (const knob of Object.values(knobs)) expect(knob.lessons.length).toBeGreaterThan(0);
    }
  });

  it('is the table docs/lessons/knobs.md shows (regenerate with `npm run lab -- knobs-doc`)', () => {
    const page = fs.readFileSync(KNOBS_DOC, 'utf8');
    expect(page).toBe(withKnobTable(page));
    expect(page).toContain(renderKnobTable());
  });
});

describe('knob values from the environment', () => {
  it('uses the defaults when nothing is set, and parses numbers, booleans and enums', () => {
    expect(fromEnv({})).toEqual({ delay_ms: 10, delay_p99_ms: 50, enabled: false, mode: 'off' });
    expect(fromEnv({ S_DELAY: '20', S_ENABLED: 'true', S_MODE: 'on' })).toEqual({
      delay_ms: 20,
      delay_p99_ms: 50,
      enabled: true,
      mode: 'on',
    });
    expect(fromEnv({ S_ENABLED: '0' }).enabled).toBe(false);
  });

  it('raises a knob to its floor at start, as the services always did with a median above the p99', () => {
    expect(fromEnv({ S_DELAY: '400' })).toMatchObject({ delay_ms: 400, delay_p99_ms: 400 });
  });

  it('refuses values out of range, non-integers and unknown enum values, naming the variable', () => {
    for (const env of [{ S_DELAY: '5000' }, { S_DELAY: '1.5' }, { S_MODE: 'sideways' }, { S_ENABLED: 'yes' }]) {
      const result = z.object(envShape(sample)).safeParse(env);
      expect(result.success).toBe(false);
      expect(result.error!.issues[0]!.path).toEqual(Object.keys(env));
    }
  });
});

describe('control updates', () => {
  it('accept any subset with valid values or null, and refuse unknown knobs and bad types', () => {
    const schema = updateSchema(sample);
    expect(schema.safeParse({ delay_ms: 5, mode: null }).success).toBe(true);
    expect(schema.safeParse({ nope: 1 }).success).toBe(false);
    expect(schema.safeParse({ enabled: 'true' }).success).toBe(false);
    expect(schema.safeParse({ delay_ms: -1 }).success).toBe(false);
  });

  it('apply atomically: a broken cross-field rule changes nothing and names the knob', () => {
    const store = new KnobStore(sample, fromEnv({}));
    const result = store.update({ delay_ms: 100, mode: 'on' });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.issues[0]!.path).toEqual(['delay_p99_ms']);
      expect(result.error.issues[0]!.message).toBe('delay_p99_ms must be >= delay_ms (100)');
    }
    expect(store.values).toEqual(fromEnv({}));
  });

  it('restore the start value on null, and tell listeners what changed', () => {
    const store = new KnobStore(sample, fromEnv({ S_DELAY: '20' }));
    const seen: [number, number][] = [];
    store.onChange((after, before) => seen.push([before.delay_ms, after.delay_ms]));
    expect(store.update({ delay_ms: 40, delay_p99_ms: 80 })).toMatchObject({ ok: true, values: { delay_ms: 40, delay_p99_ms: 80 } });
    expect(store.update({ delay_ms: null, delay_p99_ms: null }).ok).toBe(true);
    expect(store.values).toMatchObject({ delay_ms: 20, delay_p99_ms: 50 });
    expect(seen).toEqual([
      [20, 40],
      [40, 20],
    ]);
  });

  it('keep the model p99 rule: a p99 below the median is refused', () => {
    const store = new KnobStore(MODEL, defaultValues(MODEL));
    expect(store.update({ latency_p99_ms: 10 }).ok).toBe(false);
    expect(store.update({ error_rate: 1 })).toMatchObject({ ok: true, values: { error_rate: 1, latency_median_ms: 40 } });
  });
});
