// The native stack's runner as a process of its own, silent, on fresh state in the folder given
// as its argument, until SIGTERM: the bench starts it so that the runner's memory is counted
// like the backends'.
//
//   node dist/tools/runner/serve-stack.js <state folder>
import { startStack } from './supervisor';

async function serveStack(state: string): Promise<void> {
  const stack = await startStack({ stateDir: state, fresh: true, log: () => undefined });
  process.once('SIGTERM', () => {
    void stack.stop().then(() => process.exit(0));
  });
}

const [state] = process.argv.slice(2);
if (!state) {
  console.error('usage: serve-stack.js <state folder>');
  process.exit(2);
}
serveStack(state).catch((error: unknown) => {
  console.error(`[stack] ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
