// tracelab's trace analysis: load a trace (and its logs) from the backends, find its critical
// path, self times, hop gaps and a verdict, compare traces. Everything but loaders.ts is pure
// TypeScript with no Node imports, so the browser console imports the same code.

export {
  type CallTarget,
  callArguments,
  calleeOf,
  callTarget,
  isCall,
  isFailed,
  isTimedOut,
  isWaitSpan,
  type RepeatedCalls,
  repeatedCalls,
  type WaitBeforeCall,
  waitEvent,
  waitsBeforeCalls,
} from './calls';
export {
  compareTraces,
  compareWithUsual,
  type SpanDelta,
  type TraceComparison,
  type UsualComparison,
  type UsualComparisonRow,
  type UsualDuration,
} from './compare';
export { type CriticalSegment, criticalPath, criticalPathOfRoot, isAsyncChild } from './critical-path';
export { BackendUnavailableError, MalformedTraceIdError, TraceNotFoundError, UnreadableTraceError } from './errors';
export { type Hop, hops } from './hops';
export {
  type LinkedSpan,
  type LinkSource,
  loadTraceLinks,
  type OutgoingLinks,
  outgoingLinks,
  type ProcessedMessage,
  type TraceLinks,
} from './links';
export {
  type FindSlowestOptions,
  type FoundTrace,
  findSlowestTrace,
  type LoadLogsOptions,
  type LoadTraceOptions,
  loadTrace,
  loadTraceLogs,
  loadUsualDurations,
  type UsualDurationsOptions,
} from './loaders';
export { epochMsOf, LOG_FIELDS, logLineFromRow, type PlacedLogLine, placeLogs, type TraceLogLine } from './logs';
export {
  type Attributes,
  type AttributeValue,
  normalizeJaegerTrace,
  parseTraceId,
  type Span,
  type SpanEvent,
  type SpanKind,
  type SpanLink,
  type StatusCode,
  spanIndex,
  type Trace,
} from './model';
export {
  type AnalyzeOptions,
  analyzeTrace,
  type CriticalPathEntry,
  type DependencyNote,
  type ErrorNote,
  FALLBACK_REASON_ATTRIBUTE,
  type FallbackNote,
  type FanOutNote,
  type HopGap,
  operationLabel,
  REPORT_SCHEMA,
  type ReportSpan,
  type RetryNote,
  type SelfTimeRow,
  type TraceReport,
  type WaitNote,
  type WaitSpanNote,
} from './report';
export { selfTimes, unionLength } from './self-time';
export { findClockSkew, SKEW_TOLERANCE_MS, type SkewedSpan, type SkewReport } from './skew';
export { dependenciesOf } from './trace-notes';
export { verdictOf } from './verdict';
