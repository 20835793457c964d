// The diagnosis: from a window and a baseline of traces, metrics and logs to ranked hypotheses
// with evidence (docs/diagnosis.md). Everything but load.ts is pure; load.ts uses only fetch.
export { diagnose, MIN_BASELINE_TRACES } from './engine';
export { type LoadDiagnosisOptions, loadDiagnosisInput, runDiagnosis } from './load';
export { metricQueries, rangeOf } from './queries';
export {
  type Diagnosis,
  type DiagnosisInput,
  type DiagnosisLogLine,
  type EvidenceLog,
  HYPOTHESIS_KINDS,
  type Hypothesis,
  type HypothesisKind,
  type MetricQuery,
  type MetricResult,
  type MetricSample,
  REPORT_CONFIDENCE,
  type TimeRange,
  type TracePair,
} from './types';
