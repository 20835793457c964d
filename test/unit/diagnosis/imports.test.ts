// The diagnosis must answer from the backends alone: it may not see the fault lab's state, so it
// imports nothing from lab/, the knob table or the runner, directly or through another module.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { inRepo } from '../../support/repo';

const repoRoot = inRepo();

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

function resolve(from: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  const base = path.resolve(path.dirname(from), specifier);
  return [`${base}.ts`, path.join(base, 'index.ts')].find((file) => fs.existsSync(file));
}

/** Every project file a module reaches through its imports, itself included. */
function reachable(entry: string): Set<string> {
  const seen = new Set<string>();
  const stack = [entry];
  while (stack.length) {
    const file = stack.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const match of fs.readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const next = resolve(file, match[1] ?? match[2]!);
      if (next) stack.push(next);
    }
  }
  return seen;
}

describe('the diagnosis cannot see the lab', () => {
  const folder = path.join(repoRoot, 'analysis', 'diagnosis');
  const entries = fs
    .readdirSync(folder)
    .filter((f) => f.endsWith('.ts'))
    .map((f) => path.join(folder, f));

  it('has modules to check', () => {
    expect(entries.map((f) => path.basename(f))).toEqual(expect.arrayContaining(['index.ts', 'types.ts']));
  });

  it.each(entries.map((f) => [path.relative(repoRoot, f), f]))('%s reaches only analysis/ and the backend clients', (_, entry) => {
    const outside = [...reachable(entry)]
      .map((f) => path.relative(repoRoot, f))
      .filter((f) => !f.startsWith(`analysis${path.sep}`) && !f.startsWith(`clients${path.sep}`));
    expect(outside).toEqual([]);
  });

  it('the check sees through re-exports (it finds lab/ from the benchmark)', () => {
    const bench = path.join(repoRoot, 'tools', 'bench', 'diagnose-bench', 'trials.ts');
    const reached = [...reachable(bench)].map((f) => path.relative(repoRoot, f));
    expect(reached).toContain(path.join('lab', 'scenarios.ts'));
  });
});
