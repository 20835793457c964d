// Where the project lives, whether this module runs compiled (dist/tools) or from source (tests).
import fs from 'node:fs';
import path from 'node:path';

function findRepoRoot(from: string): string {
  let dir = from;
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${from}`);
    dir = parent;
  }
  return dir;
}

export const repoRoot = findRepoRoot(__dirname);
export const distDir = path.join(repoRoot, 'dist');
/** Runtime state of the native stack (data, logs): ignored by git, removed by `npm run clean`. */
export const stateDir = path.join(repoRoot, '.tracelab');

/** KEY=VALUE lines (the format of .env and victorialogs.env); other lines are ignored. */
export function readEnvFile(file: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const match = /^\s*([A-Za-z0-9_.]+)\s*=\s*(.*?)\s*$/.exec(line);
    if (match) values[match[1]!] = match[2]!;
  }
  return values;
}
