// Starts services as real child processes, exactly as production does (tools/services.ts), and
// keeps their JSON log lines for assertions. Requires `npm run build` (npm test's pretest does it).
import { execa } from 'execa';
import { type ServiceName, serviceCommand } from '../../tools/services';
import { eventually } from '../../tools/wait';

export interface RunningService {
  name: ServiceName;
  url: string;
  logs: Record<string, unknown>[];
  /** Everything the process wrote to stderr (export failures must not flood it). */
  stderr: string[];
  stop(): Promise<void>;
}

export async function startService(name: ServiceName, port: number, env: Record<string, string>): Promise<RunningService> {
  const { command, args } = serviceCommand(name);
  const child = execa(command, args, {
    env: { ...env, HOST: '127.0.0.1', PORT: String(port) },
    extendEnv: true,
    reject: false,
    cleanup: true,
    forceKillAfterDelay: 3000,
    buffer: false,
  });
  const logs: Record<string, unknown>[] = [];
  const stderr: string[] = [];
  child.stderr?.on('data', (chunk: Buffer) => stderr.push(...chunk.toString().split('\n').filter(Boolean)));
  let pending = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    const lines = (pending + chunk.toString()).split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      try {
        logs.push(JSON.parse(line));
      } catch {
        // not a log record (e.g. a Node warning): ignore
      }
    }
  });
  const url = `http://127.0.0.1:${port}`;
  let exitCode: number | undefined;
  const exited = child.then((result) => {
    exitCode = result.exitCode ?? -1;
  });
  await eventually(
    async () => {
      if (exitCode !== undefined) throw new Error(`${name} exited with ${exitCode}`);
      return (await fetch(`${url}/healthz`)).ok || undefined;
    },
    { timeoutMs: 20_000, what: `${name} /healthz` },
  );
  return {
    name,
    url,
    logs,
    stderr,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
