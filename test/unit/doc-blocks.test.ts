// The docs test's reading of a page: which blocks run, what their output must show, what is skipped.
import { describe, expect, it } from 'vitest';
import { parseDocPage } from '../support/doc-blocks';

const page = [
  '# a lesson',
  '<!-- docs-test: quiet-window 20 -->',
  '```sh',
  'npm run lab -- on pool-exhaustion',
  '```',
  '<!-- expect: is on -->',
  '<!-- expect: ^Lesson: -->',
  '',
  'Text.',
  '```text',
  'not run',
  '```',
  '<!-- docs-test: skip it stops the collector of the shared stack -->',
  '```bash',
  'kill -9 "$pid"',
  '```',
  '<!-- docs-test: eventually 10 -->',
  '```sh',
  'curl -s http://127.0.0.1:9428/select/logsql/query -d query=x',
  '```',
  '1. A list:',
  '',
  '   ```sh',
  '   curl -s http://127.0.0.1:8080/healthz',
  '   ```',
].join('\n');

describe('the docs test reads a page', () => {
  it('finds sh and bash blocks (indented ones too), their expectations, skips and the quiet window', () => {
    const parsed = parseDocPage('x.md', page);
    expect(parsed.quietWindowS).toBe(20);
    expect(parsed.blocks).toEqual([
      { line: 3, code: 'npm run lab -- on pool-exhaustion', expects: [/is on/m, /^Lesson:/m] },
      { line: 14, code: 'kill -9 "$pid"', expects: [], skip: 'it stops the collector of the shared stack' },
      { line: 18, code: 'curl -s http://127.0.0.1:9428/select/logsql/query -d query=x', expects: [], eventuallyS: 10 },
      { line: 23, code: 'curl -s http://127.0.0.1:8080/healthz', expects: [] },
    ]);
  });
});
