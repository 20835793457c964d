// Where the project lives, whether this module runs compiled (dist/local) or from source (tests),
// and where the native stack keeps its state.
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
