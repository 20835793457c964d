// The fault lab's definitions: every scenario is made of real knobs with valid values, has a
// lesson with the four parts and an end-to-end test, and the lessons index links both.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findScenario, labStatus } from '../../lab/actions';
import type { LabContext } from '../../lab/context';
import { SCENARIOS } from '../../lab/scenarios';
import { repoRoot } from '../../local/paths';
import { KNOB_TABLE, type KnobService } from '../../services/shared/knob-table';
import { defaultValues, type KnobSet, stateSchema, updateSchema } from '../../services/shared/knobs';
import { parseDocPage } from '../support/doc-blocks';

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
      for (const part of ['## Predict', '## What to look at', '## What it means', '## The fix', '## Check yourself'])
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

describe('lab status', () => {
  /** Control endpoints that answer GET with the given knob values (defaults elsewhere). */
  async function withServices(values: Partial<Record<KnobService, Record<string, unknown>>>, check: (ctx: LabContext) => Promise<void>) {
    const servers = await Promise.all(
      (Object.keys(KNOB_TABLE) as KnobService[]).map(async (service) => {
        const body = JSON.stringify({ ...defaultValues(KNOB_TABLE[service] as KnobSet), ...values[service] });
        const server = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(body));
        await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
        return [service, server] as const;
      }),
    );
    const urls = Object.fromEntries(
      servers.map(([service, server]) => [service, `http://127.0.0.1:${(server.address() as AddressInfo).port}`]),
    );
    try {
      await check({
        controlToken: 'unit-test-token',
        urls: { ...(urls as Record<KnobService, string>), prometheus: 'http://127.0.0.1:1' },
      });
    } finally {
      for (const [, server] of servers) server.close();
    }
  }

  it('shows a scenario that is only partly on (a lesson fix put one knob back), and every knob away from its default', async () => {
    await withServices(
      {
        gateway: { model_max_attempts: 5, model_retry_backoff_ms: 0, breaker_enabled: false },
        'model-inference': { error_rate: 0.9, seed: 7 },
      },
      async (ctx) => {
        const status = await labStatus(ctx);
        expect(status.active).toEqual([]);
        expect(status.partial).toEqual([
          {
            scenario: 'retry-storm',
            level: 'severe',
            set: ['gateway.model_max_attempts', 'gateway.model_retry_backoff_ms', 'gateway.breaker_enabled', 'model-inference.error_rate'],
            unset: ['gateway.model_retry_budget_enabled'],
          },
        ]);
        expect(Object.keys(status.changed.gateway)).toEqual(['breaker_enabled', 'model_max_attempts', 'model_retry_backoff_ms']);
        expect(status.changed['model-inference']).toMatchObject({ error_rate: { value: 0.9, default: 0 }, seed: { value: 7, default: 0 } });
      },
    );
  });

  it('does not call a scenario partly on for a knob that a scenario which is on explains', async () => {
    // slow-model mild sets the p99 to 400 ms, as tail-latency mild does.
    await withServices({ 'model-inference': { latency_median_ms: 200, latency_p99_ms: 400, seed: 7 } }, async (ctx) => {
      expect(await labStatus(ctx)).toMatchObject({ active: [{ scenario: 'slow-model', level: 'mild' }], partial: [] });
    });
  });

  it('says nothing is on, fully or partly, when every knob is at its default', async () => {
    await withServices({}, async (ctx) => {
      expect(await labStatus(ctx)).toMatchObject({ active: [], partial: [] });
    });
  });
});

describe('the runnable blocks of the docs', () => {
  it('elide nothing: no … and no <placeholder> in a command (comments aside)', () => {
    const files = ['README.md', ...fs.readdirSync(path.join(repoRoot, 'docs/lessons')).map((f) => `docs/lessons/${f}`)];
    for (const file of files.filter((f) => f.endsWith('.md'))) {
      for (const block of parseDocPage(file, read(file)).blocks) {
        // A command's own text, without a trailing comment (a # after a space) and quoted strings.
        const commands = block.code.split('\n').map((line) => line.replace(/(^|\s)#.*$/, '').replace(/'[^']*'/g, "''"));
        for (const command of commands) {
          expect(command, `${file}:${block.line}`).not.toMatch(/…/);
          expect(command, `${file}:${block.line}`).not.toMatch(/<[a-z_]+>/);
          expect(command, `${file}:${block.line}: an optional argument in brackets`).not.toMatch(/\[--/);
        }
      }
    }
  });
});
