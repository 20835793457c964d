// Starts the benchmarks' stand-in for the collector (otlp-sink.ts) in a process of its own, and
// reads what it received.
import path from 'node:path';
import { execa } from 'execa';

export interface Sink {
  pid: number;
  /** OTLP over HTTP, e.g. http://127.0.0.1:40123. */
  httpUrl: string;
  /** OTLP over gRPC as a URL and as host:port. */
  grpcUrl: string;
  grpcAddress: string;
  /** Requests and bytes received so far, by signal (trace, metric, log, scrape). */
  stats(): Promise<Record<string, { requests: number; bytes: number }>>;
  /** Bytes received of one signal so far. */
  bytes(signal: string): Promise<number>;
  stop(): Promise<void>;
}

/** The sink, scraping `scrapeTargets` (Prometheus /metrics URLs) every 5 s as the collector would. */
export async function startSink(scrapeTargets: string[] = []): Promise<Sink> {
  const args = [path.join(__dirname, 'otlp-sink.js'), ...(scrapeTargets.length ? ['--scrape', scrapeTargets.join(',')] : [])];
  const child = execa(process.execPath, args, { stdout: 'pipe', stderr: 'inherit', reject: false, cleanup: true });
  const ports = await new Promise<{ http: number; grpc: number }>((resolve, reject) => {
    child.stdout!.once('data', (line: Buffer) => resolve(JSON.parse(line.toString())));
    void child.then(() => reject(new Error('the OTLP sink exited during start-up')));
  });
  const httpUrl = `http://127.0.0.1:${ports.http}`;
  const stats = async () => (await fetch(`${httpUrl}/stats`)).json() as Promise<Record<string, { requests: number; bytes: number }>>;
  return {
    pid: child.pid!,
    httpUrl,
    grpcUrl: `http://127.0.0.1:${ports.grpc}`,
    grpcAddress: `127.0.0.1:${ports.grpc}`,
    stats,
    bytes: async (signal) => (await stats())[signal]?.bytes ?? 0,
    stop: async () => {
      child.kill('SIGTERM');
      await child;
    },
  };
}
