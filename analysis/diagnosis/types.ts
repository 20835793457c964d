// The diagnosis's contract: what it reads (a DiagnosisInput, gathered from the backends by the
// loader or read back from a recorded case) and what it answers (a Diagnosis). Pure types: the
// CLI, the console and the accuracy benchmark share them.
import type { Trace } from '../model';

/** The fixed vocabulary of hypothesis kinds (docs/diagnosis.md explains each). */
export const HYPOTHESIS_KINDS = [
  'latency',
  'wait',
  'fan-out',
  'retries',
  'errors',
  'timeouts',
  'hop-gap',
  'cpu',
  'memory',
  'deploy',
  'propagation',
  'dependency',
] as const;
export type HypothesisKind = (typeof HYPOTHESIS_KINDS)[number];

/** A hypothesis is reported at this confidence or above; below it, it is kept only as a candidate. */
export const REPORT_CONFIDENCE = 0.5;

/** A time range, milliseconds since the Unix epoch, from inclusive, to exclusive. */
export interface TimeRange {
  fromMs: number;
  toMs: number;
}

/** One PromQL query the diagnosis wants evaluated, over the window and over the baseline. */
export interface MetricQuery {
  /** Stable id the diagnosis looks its results up by. */
  id: string;
  /** PromQL with `$range` where the range of the evaluated period goes (e.g. `rate(x[$range])`). */
  promql: string;
}

/** The value of one series of a MetricQuery over one period (an instant query at the period's end). */
export interface MetricSample {
  labels: Record<string, string>;
  value: number;
}

export interface MetricResult {
  id: string;
  /** The query as evaluated on the window (with its range filled in), shown as evidence. */
  promql: string;
  window: MetricSample[];
  baseline: MetricSample[];
}

/** A warn or error log line (VictoriaLogs), as the diagnosis reads it. */
export interface DiagnosisLogLine {
  timeMs: number;
  service: string;
  level: string;
  message: string;
  traceId?: string;
  spanId?: string;
}

/** Everything a diagnosis reads; a recorded case is this, serialised. */
export interface DiagnosisInput {
  window: TimeRange;
  baseline: TimeRange;
  /** Only hypotheses about this service (and what it calls) are reported, when given. */
  service?: string;
  /** Sampled traces: slow and errored first, then the rest, by the same rule in both periods. */
  traces: { window: Trace[]; baseline: Trace[] };
  metrics: MetricResult[];
  logs: { window: DiagnosisLogLine[]; baseline: DiagnosisLogLine[] };
}

export interface TracePair {
  trace_id: string;
  /** A usual trace of the same entry point from the baseline, to open beside it in compare view. */
  baseline_trace_id?: string;
}

export interface EvidenceLog {
  time: string;
  service: string;
  level: string;
  message: string;
  trace_id?: string;
}

export interface Hypothesis {
  rank: number;
  kind: HypothesisKind;
  service: string;
  operation?: string;
  /** In [0, 1]; reported at REPORT_CONFIDENCE or above. */
  confidence: number;
  /** One plain sentence. */
  summary: string;
  evidence: { traces: TracePair[]; queries: string[]; logs: EvidenceLog[] };
}

export interface Diagnosis {
  window: { from: string; to: string };
  baseline: { from: string; to: string };
  status: 'healthy' | 'degraded';
  /** Reported hypotheses, best first. */
  hypotheses: Hypothesis[];
  /** What was read: traces per period, series, log lines (to judge how much the answer rests on). */
  read: { traces: { window: number; baseline: number }; series: number; logs: number };
  /** What limited the answer (e.g. a baseline with too few traces to compare against). */
  notes: string[];
}
