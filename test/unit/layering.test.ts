// The folders are layers (docs/architecture.md, "Layout"): each may import only the folders below
// it, the leaf local/ only the pure registries, and what the browser loads no Node module. This
// reads the imports of every source file and fails on one that reaches up or sideways.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../local/paths';

/** Each folder and the folders it may import (besides its own files), highest layer first. */
const LAYERS: Record<string, string[]> = {
  'tools/cli': [
    'tools/bench',
    'tools/generate',
    'tools/runner',
    'tools/backends',
    'console/server',
    'lab',
    'analysis',
    'clients',
    'local',
    'services',
  ],
  'tools/bench': ['tools/runner', 'tools/backends', 'lab', 'analysis', 'clients', 'local', 'services'],
  'tools/generate': ['tools/backends', 'local', 'services'],
  'tools/runner': ['tools/backends', 'clients', 'local', 'services'],
  'tools/backends': ['local', 'services'],
  'console/server': ['lab', 'analysis', 'clients', 'local', 'services'],
  'console/web': ['analysis', 'clients', 'services'],
  lab: ['analysis', 'clients', 'local', 'services'],
  analysis: ['clients'],
  clients: [],
  local: ['services'],
  services: [],
};

/** What the leaf may import from the project: pure data only. */
const LEAF_MAY_IMPORT = ['services/registry.ts'];

/** Loaded by the browser (console/web bundles them): no Node module. loaders.ts uses only fetch too. */
const BROWSER_SAFE = ['clients', 'analysis', 'console/web'];

const SOURCE = /\.(ts|tsx)$/;

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(path.join(repoRoot, dir), { withFileTypes: true }).flatMap((entry) => {
    const relative = path.posix.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : sourceFiles(relative);
    return SOURCE.test(entry.name) && !entry.name.endsWith('.test.ts') ? [relative] : [];
  });
}

/** The layer a repository path belongs to (the longest folder prefix), if any. */
const layerOf = (file: string) =>
  Object.keys(LAYERS)
    .filter((layer) => file.startsWith(`${layer}/`))
    .sort((a, b) => b.length - a.length)[0];

/** Module specifiers of static imports, re-exports, dynamic imports and requires. */
function imports(file: string): string[] {
  const text = fs.readFileSync(path.join(repoRoot, file), 'utf8');
  return [
    ...text.matchAll(
      /(?:^import|^export)[^'"]*?from\s+['"]([^'"]+)['"]|^import\s+['"]([^'"]+)['"]|\b(?:import|require)\(\s*['"]([^'"]+)['"]\s*\)/gm,
    ),
  ].map((m) => (m[1] ?? m[2] ?? m[3])!);
}

/** A relative specifier as a repository path (extension-less specifiers resolve to .ts, .tsx or index.ts). */
function resolve(from: string, specifier: string): string {
  const base = path.posix.normalize(path.posix.join(path.posix.dirname(from), specifier));
  const candidates = [base, `${base}.ts`, `${base}.tsx`, `${base}/index.ts`];
  return candidates.find((c) => fs.existsSync(path.join(repoRoot, c)) && fs.statSync(path.join(repoRoot, c)).isFile()) ?? base;
}

const FILES = [...new Set(Object.keys(LAYERS).map((layer) => layer.split('/')[0]!))].flatMap(sourceFiles).filter((f) => layerOf(f));

describe('layering', () => {
  it('finds the source files of every layer', () => {
    for (const layer of Object.keys(LAYERS))
      expect(
        FILES.some((f) => layerOf(f) === layer),
        layer,
      ).toBe(true);
  });

  it('no folder imports one above it or beside it', () => {
    const violations = FILES.flatMap((file) => {
      const layer = layerOf(file)!;
      return imports(file)
        .filter((s) => s.startsWith('.'))
        .map((s) => resolve(file, s))
        .filter((target) => {
          const to = layerOf(target);
          return to !== layer && !(to && LAYERS[layer]!.includes(to));
        })
        .map((target) => `${file} → ${target}`);
    });
    expect(violations).toEqual([]);
  });

  it('the leaf local/ imports nothing of the project but the pure registries', () => {
    const violations = FILES.filter((f) => layerOf(f) === 'local').flatMap((file) =>
      imports(file)
        .filter((s) => s.startsWith('.'))
        .map((s) => resolve(file, s))
        .filter((target) => layerOf(target) !== 'local' && !LEAF_MAY_IMPORT.includes(target))
        .map((target) => `${file} → ${target}`),
    );
    expect(violations).toEqual([]);
  });

  it('what the browser loads imports no Node module', () => {
    const violations = FILES.filter((f) => BROWSER_SAFE.includes(layerOf(f)!)).flatMap((file) =>
      imports(file)
        .filter((s) => s.startsWith('node:'))
        .map((s) => `${file} → ${s}`),
    );
    expect(violations).toEqual([]);
  });
});
