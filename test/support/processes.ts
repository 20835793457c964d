// Starts services as real child processes, exactly as production does (tools/runner/services.ts), and
// keeps their JSON log lines for assertions. Requires `npm run build` (npm test's pretest does it).

import type { ServiceName } from '../../services/registry';
import { startProcess } from '../../tools/runner/process';
import { serviceProcessSpec } from '../../tools/runner/services';

export interface RunningService {
  name: ServiceName;
  url: string;
  logs: Record<string, unknown>[];
  /** Everything the process wrote to stderr (export failures must not flood it). */
  stderr: string[];
  stop(): Promise<void>;
}

export async function startService(name: ServiceName, portOffset: number, env: Record<string, string>): Promise<RunningService> {
  const spec = serviceProcessSpec(name, env, { portOffset });
  const logs: Record<string, unknown>[] = [];
  const stderr: string[] = [];
  const running = await startProcess(spec, {
    readyTimeoutMs: 20_000,
    stopGraceMs: 3000,
    onStderrLine: (line) => stderr.push(line),
    onStdoutLine: (line) => {
      try {
        logs.push(JSON.parse(line));
      } catch {
        // not a log record (e.g. a Node warning): ignore
      }
    },
  });
  return { name, url: spec.readyUrl.replace(/\/healthz$/, ''), logs, stderr, stop: () => running.stop() };
}
