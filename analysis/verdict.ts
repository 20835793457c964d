// The verdict: one plain sentence that says where a trace's time went and what went wrong, built
// only from the numbers of the report.
import type { TraceReport } from './report';

const round = (value: number) => (value >= 10 ? Math.round(value) : Math.round(value * 10) / 10);

/** One sentence naming the biggest share of the critical path, fallbacks, errors and retries. */
export function verdictOf(report: Omit<TraceReport, 'verdict'>): string {
  const clauses: string[] = [];
  const top = report.self_time[0];
  if (!top || report.critical_path_ms === 0) {
    clauses.push(`the trace took ${round(report.duration_ms)} ms`);
  } else {
    const roots = report.roots.length > 1 ? ` (critical paths of ${report.roots.length} roots)` : '';
    clauses.push(
      `${Math.round(top.share * 100)} % of ${round(report.critical_path_ms)} ms${roots} is ${top.service} › ${top.operation} (self ${round(top.self_ms)} ms)`,
    );
  }
  for (const fallback of report.fallbacks) {
    const to = fallback.fallback_to ? ` to ${fallback.fallback_to}` : '';
    const call = fallback.failed_call;
    if (call) {
      const what =
        fallback.reason === 'timeout'
          ? `hit its time budget at ${round(call.duration_ms)} ms`
          : `failed after ${round(call.duration_ms)} ms`;
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
    clauses.push(`${retry.service} called ${retry.peer} (${retry.operation}) ${retry.attempts} times`);
  }
  if (report.orphans.length > 0) clauses.push(`${report.orphans.length} span(s) lost their parent, so the trace may be incomplete`);
  const sentence = clauses.join('; ');
  return `${sentence.charAt(0).toUpperCase()}${sentence.slice(1)}.`;
}
