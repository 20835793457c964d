// Plain-text rendering of reports for a terminal: verdict, waterfall with the critical path
// marked, self-time table, hop gaps, log lines. Colour only when asked (the CLI asks on a TTY).
import type { TraceComparison, UsualComparison } from './compare';
import type { TraceLinks } from './links';
import { operationLabel, type ReportSpan, type TraceReport } from './report';

export interface TextOptions {
  /** ANSI colours (default false). */
  color?: boolean;
  /** Width of the waterfall's bar column in characters (default 40). */
  barWidth?: number;
}

const ANSI = { bold: '\u001b[1m', dim: '\u001b[2m', red: '\u001b[31m', yellow: '\u001b[33m', cyan: '\u001b[36m', reset: '\u001b[0m' };
type Paint = (style: keyof typeof ANSI, text: string) => string;
const painter =
  (color: boolean): Paint =>
  (style, text) =>
    color ? `${ANSI[style]}${text}${ANSI.reset}` : text;

/** A number of ms, 1 decimal below 100, none above. */
export const fmtMs = (value: number) => (Math.abs(value) >= 100 ? value.toFixed(0) : value.toFixed(1));
const pad = (text: string, width: number) => (text.length >= width ? `${text.slice(0, width - 1)}…` : text.padEnd(width));
const left = (text: string, width: number) => text.padStart(width);

/** The bar of one span: █ for its time on the critical path, ░ for the rest of its duration. */
function bar(span: ReportSpan, total: number, width: number): string {
  const column = (ms: number) => Math.min(width - 1, Math.max(0, Math.floor((ms / (total || 1)) * width)));
  const cells = Array.from({ length: width }, () => ' ');
  const from = column(span.start_ms);
  const to = Math.max(from, column(span.start_ms + span.duration_ms - 1e-9));
  for (let i = from; i <= to; i++) cells[i] = '░';
  for (const segment of span.critical_segments) {
    const a = column(segment.start_ms);
    const b = Math.max(a, column(segment.start_ms + segment.duration_ms - 1e-9));
    for (let i = a; i <= b; i++) cells[i] = '█';
  }
  return cells.join('');
}

function table(headers: string[], rows: string[][], widths: number[], numeric: boolean[]): string[] {
  const line = (cells: string[]) =>
    `  ${cells.map((cell, i) => (numeric[i] ? left(cell, widths[i]!) : pad(cell, widths[i]!))).join('  ')}`.trimEnd();
  return [line(headers), ...rows.map(line)];
}

/** The whole terminal report of one trace. */
export function renderReport(report: TraceReport, { color = false, barWidth = 40 }: TextOptions = {}): string {
  const paint = painter(color);
  const out: string[] = [];
  out.push(
    paint(
      'bold',
      `trace ${report.trace_id} · ${fmtMs(report.duration_ms)} ms${report.root_duration_ms < report.duration_ms ? ` (root span ${fmtMs(report.root_duration_ms)} ms)` : ''} · ${report.span_count} spans · ${report.services.join(' → ')} · ${report.start_time}`,
    ),
  );
  out.push('', `${paint('bold', 'Verdict:')} ${report.verdict}`, '');

  const nameWidth = 52;
  out.push(paint('bold', `Waterfall (${paint('red', '█')} critical path, ░ rest of the span)`));
  out.push(`  ${pad('service › operation', nameWidth)}  ${pad('', barWidth)}  ${left('start', 7)}  ${left('ms', 7)}  ${left('self', 7)}`);
  // A client span often carries its server span's name: the peer tells the two lines apart.
  const servedBy = new Map(
    report.spans
      .filter((span) => span.parent_id !== undefined && span.kind === 'server')
      .map((span) => [span.parent_id!, span.service] as const),
  );
  const peerOf = (span: ReportSpan) =>
    span.kind !== 'client'
      ? undefined
      : [servedBy.get(span.span_id), span.attributes['peer.service'], span.attributes['server.address']].find(
          (name) => typeof name === 'string' && name !== span.service,
        );
  for (const span of report.spans) {
    const peer = peerOf(span);
    const flags = [peer ? `→ ${peer}` : '', span.status === 'error' ? '✗' : '', span.async ? '(async)' : '', span.orphan ? '(orphan)' : '']
      .filter(Boolean)
      .join(' ');
    const name = pad(`${'  '.repeat(span.depth)}${span.service} › ${span.operation}${flags ? ` ${flags}` : ''}`, nameWidth);
    const styled = span.status === 'error' ? paint('red', name) : span.on_critical_path ? name : paint('dim', name);
    const cells = bar(span, report.duration_ms, barWidth).replace(/█+/g, (run) => paint('red', run));
    out.push(
      `  ${styled}  ${cells}  ${left(fmtMs(span.start_ms), 7)}  ${left(fmtMs(span.duration_ms), 7)}  ${left(fmtMs(span.self_ms), 7)}`,
    );
  }

  out.push('', paint('bold', `Critical path (${fmtMs(report.critical_path_ms)} ms)`));
  out.push(
    ...table(
      ['start', 'ms', 'service › operation'],
      report.critical_path.map((entry) => [fmtMs(entry.start_ms), fmtMs(entry.duration_ms), `${entry.service} › ${entry.operation}`]),
      [7, 7, 60],
      [true, true, false],
    ),
  );

  out.push('', paint('bold', 'Self time (share = part of the critical path)'));
  out.push(
    ...table(
      ['service › operation', 'count', 'total ms', 'self ms', 'critical', 'share'],
      report.self_time.map((row) => [
        `${row.service} › ${operationLabel(row.operation ?? '', row.kind)}`,
        String(row.count),
        fmtMs(row.total_ms),
        fmtMs(row.self_ms),
        fmtMs(row.critical_ms),
        `${(row.share * 100).toFixed(1)} %`,
      ]),
      [nameWidth, 5, 9, 8, 8, 7],
      [false, true, true, true, true, true],
    ),
  );

  out.push('', paint('bold', 'Hop gaps (client → server: before the server started / after it ended; neither side’s code)'));
  if (report.hop_gaps.length === 0) out.push('  none: no client span has a server span of another service under it');
  for (const hop of report.hop_gaps) {
    const note = [
      hop.clock_skew ? paint('yellow', '  clock skew: the server started before its client') : '',
      hop.server_outlived_client ? '  (the server span ended after its client)' : '',
    ].join('');
    out.push(
      `  ${hop.from_service} › ${hop.client_operation} → ${hop.to_service} › ${hop.server_operation}: client ${fmtMs(hop.client_ms)} ms, server ${fmtMs(hop.server_ms)} ms, before ${fmtMs(hop.before_ms)} ms, after ${fmtMs(hop.after_ms)} ms${note}`,
    );
  }

  if (report.waits.length > 0 || report.wait_spans.length > 0) {
    out.push('', paint('bold', 'Waits (in the caller before a call starts: a pool, queue or lock, not a hop gap; wait spans and events)'));
    for (const wait of report.waits)
      out.push(`  ${wait.service} › ${wait.operation} waited ${fmtMs(wait.wait_ms)} ms before calling ${wait.peer}`);
    for (const wait of report.wait_spans)
      out.push(`  ${wait.service} › ${wait.operation} (${fmtMs(wait.duration_ms)} ms)${wait.event ? `: "${wait.event}"` : ''}`);
  }

  if (report.retries.length > 0 || report.fan_outs.length > 0) {
    out.push(
      '',
      paint('bold', 'Repeated calls (retries follow a failure; an N+1 repeats with no failure, usually with different arguments)'),
    );
    for (const retry of report.retries)
      out.push(`  retries: ${retry.service} called ${retry.peer} (${retry.operation}) ${retry.attempts} times after failures`);
    for (const fanOut of report.fan_outs) {
      const args = fanOut.distinct_arguments >= 2 ? `, ${fanOut.distinct_arguments} different arguments` : '';
      out.push(
        `  N+1: ${fanOut.calls} ${fanOut.sequential ? 'sequential' : 'parallel'} calls from ${fanOut.service} to ${fanOut.peer} (${fanOut.operation})${args}, ${fmtMs(fanOut.total_ms)} ms in all`,
      );
    }
  }

  if (report.dependencies.length > 0) {
    out.push('', paint('bold', 'Uninstrumented dependencies (calls with no server span below)'));
    for (const dependency of report.dependencies)
      out.push(
        `  ${dependency.peer} (${dependency.what}): ${dependency.calls} call${dependency.calls === 1 ? '' : 's'} from ${dependency.callers.join(', ')}, ${fmtMs(dependency.total_ms)} ms in all (${dependency.operations.join(', ')})`,
      );
  }

  if (report.errors.length > 0) {
    out.push('', paint('bold', 'Errors'));
    for (const error of report.errors) {
      out.push(paint('red', `  ${error.origin ? '✗' : '↑'} ${error.service} › ${error.operation}: ${error.message}`));
    }
  }

  const names = new Map(report.spans.map((span) => [span.span_id, `${span.service} › ${span.operation}`]));
  out.push('', paint('bold', `Logs (${report.logs.length} line${report.logs.length === 1 ? '' : 's'}, ms from the trace's start)`));
  for (const line of report.logs) {
    const severity = pad(line.severity || '-', 5);
    const paintedSeverity = /err|fatal/i.test(line.severity)
      ? paint('red', severity)
      : /warn/i.test(line.severity)
        ? paint('yellow', severity)
        : severity;
    const under = line.under_span_id
      ? `  [${names.get(line.under_span_id)}]`
      : line.span_id
        ? `  [span ${line.span_id} not in the trace]`
        : '';
    out.push(`  ${left(fmtMs(line.time_ms), 7)}  ${paintedSeverity}  ${pad(line.service, 16)}  ${line.message}${paint('dim', under)}`);
  }

  if (report.warnings.length > 0) {
    out.push('', paint('bold', 'Warnings'));
    for (const warning of report.warnings) out.push(paint('yellow', `  ! ${warning}`));
  }
  return out.join('\n');
}

/** A comparison path shown as its last step, indented by its depth. */
const leaf = (path: string) => {
  const steps = path.split(' / ');
  return `${'  '.repeat(steps.length - 1)}${steps.at(-1)}`;
};

/** Terminal rendering of a two-trace comparison: b set against the baseline a. */
export function renderComparison(comparison: TraceComparison, { color = false }: TextOptions = {}): string {
  const paint = painter(color);
  // Differences read as "b minus the baseline": + is slower (or more self time) than the baseline.
  const sign = (value: number) => (value > 0 ? `+${fmtMs(value)}` : value < 0 ? `−${fmtMs(-value)}` : '0');
  const out = [
    paint(
      'bold',
      `a = ${comparison.a.trace_id} (${fmtMs(comparison.a.root_duration_ms)} ms, the baseline)   b = ${comparison.b.trace_id} (${fmtMs(comparison.b.root_duration_ms)} ms)`,
    ),
    '',
  ];
  out.push(`${paint('bold', 'Verdict:')} ${comparison.verdict}`, '');
  out.push(`  a: ${comparison.a.verdict}`, `  b: ${comparison.b.verdict}`, '');
  out.push(paint('bold', 'Spans in both (largest self-time change first; Δ = b − a, + means slower than the baseline)'));
  out.push(
    ...table(
      ['span (path from the root)', 'a ms', 'b ms', 'Δ ms', 'Δ self'],
      comparison.changed.map((row) => [leaf(row.path), fmtMs(row.a_ms!), fmtMs(row.b_ms!), sign(row.delta_ms!), sign(row.self_delta_ms!)]),
      [64, 8, 8, 8, 8],
      [false, true, true, true, true],
    ),
  );
  for (const [label, rows, key] of [
    ['Only in a (the baseline)', comparison.only_in_a, 'a_ms'],
    ['Only in b', comparison.only_in_b, 'b_ms'],
  ] as const) {
    if (rows.length === 0) continue;
    out.push('', paint('bold', label));
    for (const row of rows) out.push(`  ${leaf(row.path)}  ${fmtMs(row[key]!)} ms`);
  }
  return out.join('\n');
}

/** Terminal rendering of a trace against its operations' usual durations. */
export function renderUsual(comparison: UsualComparison, { color = false }: TextOptions = {}): string {
  const paint = painter(color);
  const out = [
    paint('bold', `Against the usual durations (spanmetrics p50 and p99 over the last ${comparison.window})`),
    comparison.verdict,
  ];
  out.push(
    ...table(
      ['service › operation (→ peer)', 'ms', 'p50', 'p99', '× p50'],
      comparison.spans.map((row) => [
        `${row.service} › ${row.operation}${row.peer ? ` → ${row.peer}` : ''}${row.above_p99 ? ' (above p99)' : ''}`,
        fmtMs(row.duration_ms),
        fmtMs(row.p50_ms),
        fmtMs(row.p99_ms),
        row.ratio.toFixed(2),
      ]),
      [60, 8, 8, 8, 6],
      [false, true, true, true, true],
    ),
  );
  return out.join('\n');
}

/** Span links both ways: what processed this trace's messages, and which traces its spans link to. */
export function renderLinks(links: TraceLinks, { color = false }: TextOptions = {}): string {
  const paint = painter(color);
  const out: string[] = [];
  if (links.processed_in.length) {
    out.push(paint('bold', 'After the response (sent, not waited for)'));
    for (const message of links.processed_in) {
      const where = message.processed_by.length
        ? message.processed_by
            .map((s) =>
              s.same_trace
                ? `processed in this trace (${s.service} › ${s.operation}, span ${s.span_id})`
                : `processed in batch trace ${s.trace_id} (${s.service} › ${s.operation})`,
            )
            .join('; ')
        : 'no processing span found yet (not processed, its trace not in Jaeger yet, or the message carried no trace context)';
      out.push(`  ${message.operation}: ${where}`);
    }
  }
  if (links.links_to.length) {
    if (out.length) out.push('');
    const traces = new Set(links.links_to.flatMap((s) => s.targets.map((t) => t.trace_id)));
    out.push(paint('bold', `Links to ${traces.size} other trace(s)`));
    for (const span of links.links_to) {
      out.push(`  ${span.service} › ${span.operation} links ${span.targets.length} span(s):`);
      for (const target of span.targets) out.push(`    trace ${target.trace_id} (span ${target.span_id})`);
    }
  }
  return out.join('\n');
}
