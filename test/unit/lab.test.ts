// The fault lab's definitions: every scenario is made of real knobs with valid values, has a
// lesson with the four parts and an end-to-end test, and the lessons index links both.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findScenario } from '../../lab/actions';
import { SCENARIOS } from '../../lab/scenarios';
import { repoRoot } from '../../local/paths';
import { KNOB_TABLE, type KnobService } from '../../services/shared/knob-table';
import { defaultValues, type KnobSet, stateSchema, updateSchema } from '../../services/shared/knobs';

const read = (file: string) => fs.readFileSync(path.join(repoRoot, file), 'utf8');

describe('the fault lab scenarios', () => {
  it('have unique names and a default level they define', () => {
    expect(new Set(SCENARIOS.map((s) => s.name)).size).toBe(SCENARIOS.length);
    for (const s of SCENARIOS) expect(Object.keys(s.levels)).toContain(s.defaultLevel);
  });

  it('turn only knobs of the table, to values their services accept', () => {
    for (const s of SCENARIOS) {
      for (const [name, level] of Object.entries(s.levels)) {
        for (const [service, values] of Object.entries(level.knobs) as [KnobService, Record<string, unknown>][]) {
          const knobs = KNOB_TABLE[service] as KnobSet;
          expect(updateSchema(knobs).safeParse(values).success, `${s.name} ${name} on ${service}`).toBe(true);
          expect(stateSchema(knobs).safeParse({ ...defaultValues(knobs), ...values }).success, `${s.name} ${name} on ${service}`).toBe(
            true,
          );
        }
      }
    }
  });

  it('have a lesson that predicts, says what to look at, what it means and the fix, and an e2e test that exists', () => {
    for (const s of SCENARIOS) {
      expect(fs.existsSync(path.join(repoRoot, s.test)), s.test).toBe(true);
      const lesson = read(s.lesson);
      if (s.name === 'random') continue; // the exercise page has its own shape
      for (const part of ['## Predict', '## What to look at', '## What it means', '## The fix'])
        expect(lesson, `${s.lesson}: ${part}`).toContain(part);
      expect(lesson).toContain(path.basename(s.test));
    }
  });

  it('are each linked from the lessons index with their test', () => {
    const index = read('docs/lessons/README.md');
    for (const s of SCENARIOS) {
      const row = index.split('\n').find((line) => line.startsWith(`| [${s.name}](${s.name}.md)`));
      expect(row, s.name).toBeDefined();
      expect(row).toContain(`(../../${s.test})`);
    }
  });

  it('name only lessons that exist in the knob table', () => {
    const names = new Set(SCENARIOS.map((s) => s.name));
    for (const knobs of Object.values(KNOB_TABLE) as KnobSet[]) {
      for (const knob of Object.values(knobs))
        for (const lesson of knob.lessons) expect(names, `${knob.env} → ${lesson}`).toContain(lesson);
    }
  });

  it('refuse unknown scenarios with the list of known ones', () => {
    expect(() => findScenario('nope')).toThrow(/unknown scenario "nope"; scenarios: .*random/);
  });
});
