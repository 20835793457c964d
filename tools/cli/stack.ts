// The native stack from the command line (tools/runner/ does the work).
//
//   node dist/tools/cli/stack.js up [--topology default|scaled]   (npm start)
//   node dist/tools/cli/stack.js status                            (npm run stack -- status)
//   node dist/tools/cli/stack.js restart <name>                    (npm run stack -- restart <name>)
//   node dist/tools/cli/stack.js clean                             (npm run clean)
import fs from 'node:fs';
import { controlSocketFile } from '../../local/control-token';
import { stateDir } from '../../local/paths';
import { TOPOLOGIES, type Topology } from '../backends/index';
import { askStack, serveControl } from '../runner/control-socket';
import { firstTraceNote, statusTable, summary } from '../runner/summary';
import { type ProcessStatus, startStack } from '../runner/supervisor';
import { parseCommandLine, usageError } from './args';

const USAGE = `usage: stack.js up [--topology ${TOPOLOGIES.join('|')}] | status | restart <name> | clean`;

async function up(topology: Topology): Promise<void> {
  console.log(`Starting tracelab${topology === 'default' ? '' : ` (${topology} topology)`}…`);
  // Staged: the first trace can be seen while the last backends still build.
  const stack = await startStack({ topology, waitForAll: false });
  const control = await serveControl(stack, controlSocketFile());
  void stack.firstTrace.then(() => console.log(firstTraceNote(stack)));
  stack.ready.then(
    () => console.log(summary(stack, topology)),
    (error: unknown) => {
      console.error(`[stack] ${error instanceof Error ? error.message : String(error)}`);
      control.close();
      process.exit(1);
    },
  );
  const shutdown = async (signal: string) => {
    console.log(`\n${signal}: stopping…`);
    control.close();
    await stack.stop();
    console.log('stopped.');
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}

async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseCommandLine(argv, { name: 'stack', usage: USAGE, options: { topology: { type: 'string' } } });
  const [command, name] = positionals;
  if (command === 'clean') {
    fs.rmSync(stateDir, { recursive: true, force: true });
    console.log(`removed ${stateDir}`);
    return;
  }
  if (command === 'status') return void console.log(statusTable((await askStack('GET', '/status')) as ProcessStatus[]));
  if (command === 'restart') {
    if (!name) usageError('stack', 'usage: stack.js restart <name>');
    console.log(statusTable([(await askStack('POST', `/restart/${name}`)) as ProcessStatus]));
    return;
  }
  if (command !== 'up') usageError('stack', USAGE);
  const topology = values.topology ?? 'default';
  if (!TOPOLOGIES.includes(topology as Topology))
    usageError('stack', `--topology must be one of ${TOPOLOGIES.join(', ')} (got ${topology})`);
  await up(topology as Topology);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(`[stack] ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
