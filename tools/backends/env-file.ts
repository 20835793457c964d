// The KEY=VALUE format of .env files (victorialogs/victorialogs.env), read by the recipes and the
// Helm values generator.
import fs from 'node:fs';

/** KEY=VALUE lines; other lines are ignored. */
export function readEnvFile(file: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const match = /^\s*([A-Za-z0-9_.]+)\s*=\s*(.*?)\s*$/.exec(line);
    if (match) values[match[1]!] = match[2]!;
  }
  return values;
}
