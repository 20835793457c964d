// The knob table of docs/lessons/knobs.md, rendered from the shared knob table. `npm run lab --
// knobs-doc` rewrites it; a unit test fails when the page and the table disagree.
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../local/paths';
import { KNOB_TABLE } from '../services/shared/knob-table';
import type { Knob } from '../services/shared/knobs';

export const KNOBS_DOC = path.join(repoRoot, 'docs', 'lessons', 'knobs.md');
const BEGIN = '<!-- knob table: generated from services/shared/knob-table.ts by `npm run lab -- knobs-doc` -->';
const END = '<!-- end of knob table -->';

function typeAndRange(knob: Knob): string {
  switch (knob.type) {
    case 'number': {
      const unit = knob.unit ? ` ${knob.unit}` : '';
      const floor = knob.atLeast ? `, ≥ \`${knob.atLeast}\`` : '';
      return `${knob.integer ? 'integer' : 'number'} ${knob.min}…${knob.max}${unit}${floor}`;
    }
    case 'boolean':
      return 'boolean';
    case 'enum':
      return knob.values.map((v) => `\`${v}\``).join(' \\| ');
  }
}

function row(cells: string[], widths: number[]): string {
  return `| ${cells.map((cell, i) => cell.padEnd(widths[i]!)).join(' | ')} |`;
}

/** The markdown table, one row per knob, aligned like the other tables of the docs. */
export function renderKnobTable(): string {
  const header = ['knob', 'service', 'type and range', 'default', 'env var', 'simulates', 'lessons'];
  const rows = Object.entries(KNOB_TABLE).flatMap(([service, knobs]) =>
    Object.entries(knobs as Record<string, Knob>).map(([name, knob]) => [
      `\`${name}\``,
      service,
      typeAndRange(knob),
      `\`${String(knob.default)}\``,
      `\`${knob.env}\``,
      knob.simulates,
      knob.lessons.map((lesson) => `[${lesson}](${lesson}.md)`).join(', '),
    ]),
  );
  const widths = header.map((_, i) => Math.max(...[header, ...rows].map((r) => r[i]!.length)));
  return [
    row(header, widths),
    row(
      widths.map((w) => '-'.repeat(w)),
      widths,
    ),
    ...rows.map((r) => row(r, widths)),
  ].join('\n');
}

/** The page with its table section replaced by the rendered table. */
export function withKnobTable(page: string): string {
  const start = page.indexOf(BEGIN);
  const end = page.indexOf(END);
  if (start < 0 || end < start) throw new Error(`${KNOBS_DOC} lacks the knob table markers`);
  return `${page.slice(0, start + BEGIN.length)}\n\n${renderKnobTable()}\n\n${page.slice(end)}`;
}

export function writeKnobsDoc(): void {
  fs.writeFileSync(KNOBS_DOC, withKnobTable(fs.readFileSync(KNOBS_DOC, 'utf8')));
}
