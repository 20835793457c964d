// The lessons as a learner follows them: every ```sh / ```bash block of docs/lessons/*.md (and of
// the README's quick start that needs the running stack) runs as written, in page order, against
// the real stack, and its output must show what the page says it shows. The conventions
// (docs/lessons/README.md, "How the lessons are tested"):
//   - the blocks of one page run as one terminal session would: in order, from the repository
//     root, and a variable a block sets (TRACE_ID=$(…)) is set in the blocks after it;
//   - a command that fails fails the block (bash -e -o pipefail);
//   - `<!-- expect: REGEX -->` right after a block: the block's output (stdout and stderr) must
//     match REGEX (JavaScript syntax, multiline); several may follow one block;
//   - `<!-- docs-test: eventually SECONDS -->` right before a block: it is run again (as a learner
//     would re-run a query) until its expectations hold or SECONDS pass; for a query of telemetry
//     that takes a moment to arrive (a log line about 1.3 s, a span metric up to 10 s);
//   - `<!-- docs-test: skip REASON -->` right before a block: not run here, and the reason says
//     why (e.g. it stops a process of the shared test stack; its proof test covers it);
//   - `<!-- docs-test: quiet-window SECONDS -->` anywhere on a page: before the page starts, wait
//     until no prediction's trace is younger than SECONDS, so that a `--slowest --since` window holds
//     only the page's own traffic (a learner does not run two lessons within seconds).
// The lab's commands read the control token from .tracelab/control-token, so that file holds the
// test stack's token while this file runs (a stopped stack's token in it is put back afterwards).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CONTROL_TOKEN_FILE } from '../../lab/context';
import { repoRoot } from '../../local/paths';
import { type DocBlock, type DocPage, parseDocPage } from '../support/doc-blocks';
import { resetAll } from './lab-support';
import { eventually, URLS } from './support';

/** The pages, in the order a learner meets them: the README's quick start, the lessons index, then each lesson. */
function pages(): DocPage[] {
  const lessons = fs
    .readdirSync(path.join(repoRoot, 'docs/lessons'))
    .filter((f) => f.endsWith('.md'))
    .sort((a, b) => (a === 'README.md' ? -1 : b === 'README.md' ? 1 : a.localeCompare(b)))
    .map((f) => `docs/lessons/${f}`);
  return ['README.md', ...lessons].map((file) => parseDocPage(file, fs.readFileSync(path.join(repoRoot, file), 'utf8')));
}

const BLOCK_TIMEOUT_MS = 120_000;

/** Runs one block in the page's session: the variables of earlier blocks in, this block's out. */
function runBlock(block: DocBlock, session: string, labStateDir: string): { status: number | null; output: string } {
  const script = [
    // allexport stays on: a variable the block sets is exported, so `export -p` carries it on.
    'set -a',
    `[ -f '${session}' ] && . '${session}'`,
    `trap '{ export -p; declare -f; } > "${session}"' EXIT`,
    'set -eo pipefail',
    block.code,
  ].join('\n');
  const result = spawnSync('bash', ['-c', script], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: BLOCK_TIMEOUT_MS,
    // Each page keeps its mystery state in its own folder: a page that fails mid-mystery leaves none behind.
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', TRACELAB_LAB_STATE_DIR: labStateDir },
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/** True once Jaeger has no prediction of the gateway that started in the last `seconds` (the lab's control calls do not count). */
async function quietFor(seconds: number): Promise<true | undefined> {
  const params = new URLSearchParams({
    service: 'gateway',
    operation: 'POST /v1/predict',
    start: String((Date.now() - seconds * 1000) * 1000),
    limit: '1',
  });
  const body = (await (await fetch(`${URLS.jaeger}/api/traces?${params}`)).json()) as { data: unknown[] | null };
  return (body.data ?? []).length === 0 ? true : undefined;
}

let savedToken: string | undefined;

beforeAll(() => {
  savedToken = fs.existsSync(CONTROL_TOKEN_FILE) ? fs.readFileSync(CONTROL_TOKEN_FILE, 'utf8') : undefined;
  fs.mkdirSync(path.dirname(CONTROL_TOKEN_FILE), { recursive: true });
  fs.writeFileSync(CONTROL_TOKEN_FILE, `${inject('controlToken')}\n`, { mode: 0o600 });
});

afterAll(async () => {
  if (savedToken === undefined) fs.rmSync(CONTROL_TOKEN_FILE, { force: true });
  else fs.writeFileSync(CONTROL_TOKEN_FILE, savedToken, { mode: 0o600 });
  await resetAll();
});

describe.each(
  pages()
    .filter((p) => p.blocks.some((b) => !b.skip))
    .map((p) => [p.file, p] as const),
)('%s', (file, page) => {
  it('runs every shell block as written, and each shows what the page says', async () => {
    // From a clean lab. Retried: a first reset right after a page's traffic once met a reused
    // keep-alive connection the gateway had just closed ("fetch failed").
    await eventually(
      () =>
        resetAll().then(
          () => true as const,
          () => undefined,
        ),
      {
        timeoutMs: 15_000,
        intervalMs: 1000,
        what: 'every knob reset before the page',
      },
    );
    if (page.quietWindowS)
      await eventually(() => quietFor(page.quietWindowS!), {
        timeoutMs: (page.quietWindowS + 30) * 1000,
        intervalMs: 1000,
        what: `no prediction traced in the last ${page.quietWindowS} s`,
      });
    const sessionDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tracelab-docs-'));
    const session = path.join(sessionDir, 'session.sh');
    for (const block of page.blocks) {
      if (block.skip) continue;
      const where = `${file}:${block.line}`;
      const deadline = Date.now() + (block.eventuallyS ?? 0) * 1000;
      // Each run's times and last line: a block that never held shows what every try met.
      const runs: string[] = [];
      const run = () => {
        const started = new Date().toISOString();
        const result = runBlock(block, session, sessionDir);
        runs.push(`${started} to ${new Date().toISOString()}: exit ${result.status}, ${result.output.trim().split('\n').at(-1)}`);
        return result;
      };
      let { status, output } = run();
      const holds = () => status === 0 && block.expects.every((pattern) => pattern.test(output));
      // A query of telemetry still arriving is run again, as a learner would, until its deadline.
      while (!holds() && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 1000));
        ({ status, output } = run());
      }
      const shown = `${block.code}\n--- output ---\n${output}\n--- runs ---\n${runs.join('\n')}`;
      expect(status, `${where} failed:\n${shown}`).toBe(0);
      for (const pattern of block.expects) expect(output, `${where}: the output does not show ${pattern}:\n${shown}`).toMatch(pattern);
    }
  }, 600_000); // A page's blocks run one after another; each is bounded by BLOCK_TIMEOUT_MS.
});
