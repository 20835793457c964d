// The verdict: one plain sentence that says where a trace's time went and what went wrong, built
// only from the numbers of the report.
import type { TraceReport } from './report';

const round = (value: number) => (value >= 10 ? Math.round(value) : Math.round(value * 10) / 10);
/** 1246.3 → "1,246". */
const grouped = (value: number) => String(round(value)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');

/** The first clause: the biggest share of the critical path, named by what it is (own code, a call, a wait). */
/** Below this, time before a call is the caller's ordinary work (parsing, validation), not a wait. */
const NOTABLE_WAIT_MS = 10;

function topClause(report: Omit<TraceReport, 'verdict'>): string {
  const top = report.self_time[0];
  if (!top || report.critical_path_ms === 0) return `the trace took ${round(report.duration_ms)} ms`;
  const roots = report.roots.length > 1 ? ` (critical paths of ${report.roots.length} roots)` : '';
  const isCall = top.kind === 'client';
  const dependency = report.dependencies.find((d) => d.callers.includes(top.service) && d.operations.includes(top.operation ?? ''));
  if (isCall && dependency) {
    // A client span with no server span below: its time is the dependency's, not a gap between services.
    const calls = top.count === 1 ? 'a call' : `${top.count} calls`;
    return `${grouped(top.critical_ms)} ms of ${grouped(report.critical_path_ms)} ms${roots} is ${calls} from ${top.service} to the ${dependency.what} \`${dependency.peer}\` (${top.operation}; uninstrumented: no server span below)`;
  }
  // A client span's self time is the time its server span does not cover: the hop gap.
  let detail = isCall ? ', spent between the services: see the hop gaps' : '';
  const waited = report.waits.filter((w) => w.service === top.service && w.operation === top.operation);
  const waitedMs = waited.reduce((sum, w) => sum + w.wait_ms, 0);
  if (!isCall && waitedMs >= 0.3 * top.self_ms && waited.length > 0)
    detail = `, of which ${round(waitedMs)} ms waiting before its call to ${waited[0]!.peer}`;
  // Self time longer than the request: work its caller stopped waiting for went on (a timeout, an abandoned call).
  else if (top.self_ms > report.root_duration_ms && report.roots.length === 1)
    detail = `, more than the request's ${round(report.root_duration_ms)} ms: it worked on after its caller stopped waiting`;
  return `${Math.round(top.share * 100)} % of ${round(report.critical_path_ms)} ms${roots} is ${top.service} › ${top.operation} (self ${round(top.self_ms)} ms${detail})`;
}

/** Wait spans (a pool, a lock, a breaker) under the call's parent that ended before it started: a time budget covers them too. */
function waitSpansBefore(report: Omit<TraceReport, 'verdict'>, callSpanId: string): { ms: number; names: string[] } {
  const call = report.spans.find((span) => span.span_id === callSpanId);
  const waits = new Set(report.wait_spans.map((wait) => wait.span_id));
  const before = report.spans.filter(
    (span) =>
      waits.has(span.span_id) &&
      call?.parent_id !== undefined &&
      span.parent_id === call.parent_id &&
      span.start_ms + span.duration_ms <= call.start_ms + 0.001,
  );
  return { ms: before.reduce((sum, span) => sum + span.duration_ms, 0), names: [...new Set(before.map((span) => span.operation))] };
}

/** One sentence naming the biggest share of the critical path, fallbacks, errors, retries, N+1s and waits. */
export function verdictOf(report: Omit<TraceReport, 'verdict'>): string {
  const clauses: string[] = [topClause(report)];
  const top = report.self_time[0];
  for (const fallback of report.fallbacks) {
    const to = fallback.fallback_to ? ` to ${fallback.fallback_to}` : '';
    const call = fallback.failed_call;
    if (call) {
      const waited = waitSpansBefore(report, call.span_id);
      const what =
        fallback.reason !== 'timeout'
          ? `failed after ${round(call.duration_ms)} ms`
          : waited.ms > 0
            ? `hit its time budget after waiting ${round(waited.ms)} ms in ${waited.names.join(', ')} and ${round(call.duration_ms)} ms in the call`
            : `hit its time budget at ${round(call.duration_ms)} ms`;
      clauses.push(`${fallback.service}'s call to ${call.peer} ${what} and it fell back${to}: reason ${fallback.reason}`);
    } else {
      clauses.push(`${fallback.service} fell back${to}: reason ${fallback.reason}`);
    }
  }
  const origins = report.errors.filter((error) => error.origin);
  if (origins.length > 0) {
    const named = origins.slice(0, 2).map((error) => `${error.service} › ${error.operation} (${error.message})`);
    const more = origins.length > 2 ? ` and ${origins.length - 2} more` : '';
    clauses.push(`error${origins.length > 1 ? 's' : ''} in ${named.join(', ')}${more}`);
  }
  for (const retry of report.retries) {
    clauses.push(`${retry.service} called ${retry.peer} (${retry.operation}) ${retry.attempts} times, retrying after failures`);
  }
  for (const fanOut of report.fan_outs.filter((f) => f.calls >= 3 || f.distinct_arguments >= 2)) {
    const args = fanOut.distinct_arguments >= 2 ? ' with different arguments' : '';
    clauses.push(
      `${fanOut.calls} ${fanOut.sequential ? 'sequential' : 'parallel'} calls from ${fanOut.service} to ${fanOut.peer} (${fanOut.operation})${args}: an N+1 pattern`,
    );
  }
  for (const wait of report.wait_spans.filter((w) => w.event).slice(0, 2))
    clauses.push(`${wait.service} › ${wait.operation} waited: "${wait.event}"`);
  // A wait is worth a clause when it is a real share of the request and longer than a few ms of ordinary work.
  const notable = (ms: number) => ms >= 0.1 * report.critical_path_ms && ms >= NOTABLE_WAIT_MS;
  // A wait span already named (the top of the critical path, or inside a time budget) is not named twice.
  const named = (wait: { service: string; operation: string }) =>
    (top?.service === wait.service && top.operation === wait.operation) || clauses.some((c) => c.includes(` in ${wait.operation} and `));
  for (const wait of report.wait_spans.filter((w) => !w.event && notable(w.duration_ms) && !named(w)).slice(0, 2))
    clauses.push(`${wait.service} waited ${round(wait.duration_ms)} ms in ${wait.operation}`);
  for (const wait of report.waits.filter((w) => notable(w.wait_ms))) {
    if (top && wait.service === top.service && wait.operation === top.operation) continue;
    clauses.push(`${wait.service} › ${wait.operation} waited ${round(wait.wait_ms)} ms before calling ${wait.peer}`);
  }
  if (report.orphans.length > 0) clauses.push(`${report.orphans.length} span(s) lost their parent, so the trace may be incomplete`);
  const sentence = clauses.join('; ');
  return `${sentence.charAt(0).toUpperCase()}${sentence.slice(1)}.`;
}
