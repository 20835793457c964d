// Writes every file generated from the registries: the compose files, the Helm values and the
// backends' derived configs (tools/generate/).
//
//   npm run compose:generate                     rewrite them
//   node dist/tools/cli/generate.js --check      exit 1 if any of them is stale (a unit test does this too)
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../../local/paths';
import { generatedFiles } from '../generate/compose';
import { parseCommandLine } from './args';

const { values } = parseCommandLine(process.argv.slice(2), {
  name: 'generate',
  usage: 'usage: generate.js [--check]',
  options: { check: { type: 'boolean', default: false } },
});
for (const [file, wanted] of Object.entries(generatedFiles())) {
  const full = path.join(repoRoot, file);
  if (values.check) {
    const current = fs.existsSync(full) ? fs.readFileSync(full, 'utf8') : '';
    if (current !== wanted) {
      console.error(`${file} is stale: run \`npm run compose:generate\``);
      process.exitCode = 1;
    }
  } else {
    fs.mkdirSync(path.dirname(full), { recursive: true });
    fs.writeFileSync(full, wanted);
    console.log(`wrote ${file}`);
  }
}
