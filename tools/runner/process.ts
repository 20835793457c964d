// Start a process and wait until it answers its readiness URL: the one way the runner, the bench
// and the tests start backends and services.
import net from 'node:net';
import { execa, type ResultPromise } from 'execa';

export interface ProcessSpec {
  name: string;
  command: string;
  args: string[];
  /** Added to the parent's environment. */
  env?: Record<string, string>;
  cwd?: string;
  /** A URL that answers 2xx once the process is ready. */
  readyUrl: string;
  /**
   * Ports it listens on on 127.0.0.1: checked free before the start, so that a stray process
   * already on them cannot answer the readiness check in its place.
   */
  ports?: number[];
}

export interface StartProcessOptions {
  /** Append stdout and stderr to this file; or hand them to line callbacks; default: discard. */
  logFile?: string;
  onStdoutLine?: (line: string) => void;
  onStderrLine?: (line: string) => void;
  readyTimeoutMs?: number;
  /** Grace period between SIGTERM and SIGKILL on stop(). */
  stopGraceMs?: number;
}

export interface RunningProcess {
  name: string;
  pid: number;
  /** Resolves with the exit code (null when killed by a signal) once the process has ended. */
  exited: Promise<number | null>;
  /** SIGTERM, then SIGKILL after the grace period; resolves when the process is gone. */
  stop(): Promise<void>;
  /** Sends a signal (SIGKILL: a crash, as a fault drill wants) and waits for the exit. */
  kill(signal: NodeJS.Signals): Promise<void>;
  /** Sends a signal that does not end it (SIGHUP: reload the configuration). */
  signal(signal: NodeJS.Signals): void;
}

export class ProcessStartError extends Error {}

/** Whether something accepts connections on 127.0.0.1:port. */
export function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** The ports of `ports` that are taken, named for an error message. */
export async function busyPorts(ports: readonly number[]): Promise<number[]> {
  const busy: number[] = [];
  for (const port of ports) if (await portInUse(port)) busy.push(port);
  return busy;
}

function splitLines(onLine: (line: string) => void): (chunk: Buffer) => void {
  let pending = '';
  return (chunk) => {
    const lines = (pending + chunk.toString()).split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) if (line) onLine(line);
  };
}

/** Polls `url` until it answers 2xx; fails early if `hasExited()` turns true. */
export async function waitUntilReady(
  url: string,
  { timeoutMs = 60_000, hasExited = () => false, name = url }: { timeoutMs?: number; hasExited?: () => boolean; name?: string } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (hasExited()) throw new ProcessStartError(`${name} exited during start-up`);
    try {
      if ((await fetch(url, { signal: AbortSignal.timeout(1000) })).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new ProcessStartError(`${name} not ready at ${url} after ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export async function startProcess(spec: ProcessSpec, options: StartProcessOptions = {}): Promise<RunningProcess> {
  const { logFile, onStdoutLine, onStderrLine, readyTimeoutMs = 60_000, stopGraceMs = 5_000 } = options;
  const busy = await busyPorts(spec.ports ?? []);
  if (busy.length)
    throw new ProcessStartError(`${spec.name}: port ${busy.join(', ')} already in use (a process left over from another run?)`);
  const log = logFile ? ({ file: logFile, append: true } as const) : undefined;
  const child: ResultPromise = execa(spec.command, spec.args, {
    cwd: spec.cwd,
    env: spec.env ?? {},
    extendEnv: true,
    stdin: 'ignore',
    stdout: log ?? (onStdoutLine ? 'pipe' : 'ignore'),
    stderr: log ?? (onStderrLine ? 'pipe' : 'ignore'),
    buffer: false,
    reject: false,
    cleanup: true, // killed if this process exits, whatever the reason
    forceKillAfterDelay: stopGraceMs,
  });
  if (onStdoutLine) child.stdout?.on('data', splitLines(onStdoutLine));
  if (onStderrLine) child.stderr?.on('data', splitLines(onStderrLine));
  let hasExited = false;
  const exited = child.then((result) => {
    hasExited = true;
    return result.exitCode ?? null;
  });
  const running: RunningProcess = {
    name: spec.name,
    pid: child.pid ?? -1,
    exited,
    async stop() {
      if (hasExited) return;
      child.kill('SIGTERM'); // execa escalates to SIGKILL after stopGraceMs
      await exited;
    },
    async kill(signal) {
      if (hasExited) return;
      child.kill(signal);
      await exited;
    },
    signal(signal) {
      if (!hasExited) child.kill(signal);
    },
  };
  try {
    await waitUntilReady(spec.readyUrl, { timeoutMs: readyTimeoutMs, hasExited: () => hasExited, name: spec.name });
  } catch (error) {
    await running.stop();
    throw new ProcessStartError(`${(error as Error).message}${logFile ? `: see ${logFile}` : ''}`);
  }
  return running;
}
