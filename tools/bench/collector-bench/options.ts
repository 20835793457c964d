// The options of the collector benchmark (tools/cli/bench-collector.ts reads them from the command line).
export interface CollectorBenchOptions {
  /** Spans per second offered. */
  rate: number;
  spansPerTrace: number;
  /** Attributes per span. */
  attributes: number;
  /** Spans per OTLP request. */
  batch: number;
  /** decision_wait values to measure memory at, s. */
  waits: number[];
  rounds: number;
  /** The measured window, s. */
  seconds: number;
  /** s after the longest decision_wait. */
  warmupSeconds: number;
  baseline: boolean;
  keepAll: boolean;
  /** The capacity example. */
  plan: { traces: number; spans: number; waitS: number };
  out: string;
}
