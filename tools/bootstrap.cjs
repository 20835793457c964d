// Runs before `npm start` and `npm test` on whatever Node the machine has (it may be older than
// the project's). Installs the locked dependencies when they are missing or stale, which also
// brings the project's own Node 24 (the `node` package) into node_modules/.bin.
'use strict';
const { createHash } = require('node:crypto');
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const lockfile = path.join(root, 'package-lock.json');
const stamp = path.join(root, 'node_modules', '.tracelab-lock-hash');
const wanted = createHash('sha256').update(fs.readFileSync(lockfile)).digest('hex');
const installed = fs.existsSync(stamp) ? fs.readFileSync(stamp, 'utf8').trim() : '';

if (installed !== wanted) {
  console.log('[bootstrap] installing locked dependencies (npm ci)…');
  execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  fs.writeFileSync(stamp, `${wanted}\n`);
}
