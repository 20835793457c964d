// The options of the services benchmark (tools/cli/bench.ts reads them from the command line).
export interface ServicesBenchOptions {
  rounds: number;
  seconds: number;
  warmupSeconds: number;
  connections: number;
  /** Requests per second across all connections (autocannon -R); unset: as fast as they are answered. */
  rate?: number;
  fallback: boolean;
  freshness: boolean;
  benchmark: boolean;
  profile: boolean;
  out: string;
}
