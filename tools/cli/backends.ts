// The backends' binary cache from the command line (tools/backends/cache.ts does the work).
//
//   node dist/tools/cli/backends.js build [name…]   build what is missing (default: all but the on-demand tools)
//   node dist/tools/cli/backends.js path <name>     print a binary's path (building it if missing)
//   node dist/tools/cli/backends.js list            versions and cache state
import { type BackendName, componentDir, ensureBackend, ensureBackends, isBuilt } from '../backends/cache';
import { GO_BUILDS } from '../backends/index';
import { parseCommandLine, usageError } from './args';

const USAGE = 'usage: backends.js build [name…] | path <name> | list';

async function main(argv: string[]): Promise<void> {
  const { positionals } = parseCommandLine(argv, { name: 'backends', usage: USAGE, options: {} });
  const [command = 'build', ...names] = positionals as [string?, ...BackendName[]];
  if (command === 'build') {
    const started = Date.now();
    await ensureBackends(names.length ? names : undefined);
    console.log(`[backends] all binaries ready (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  } else if (command === 'path' && names.length === 1) {
    console.log(await ensureBackend(names[0]!));
  } else if (command === 'list') {
    for (const [key, component] of Object.entries(GO_BUILDS)) {
      const { dir, version } = componentDir(key, component);
      console.log(`${key.padEnd(13)} ${version.padEnd(10)} ${isBuilt(key, component) ? 'cached ' : 'missing'} ${dir}`);
    }
  } else {
    usageError('backends', USAGE);
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(`[backends] ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
