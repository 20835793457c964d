// Jaeger's legacy JSON (/api/traces): the shapes the console reads, and the one-line summary of a
// search hit shown in the /traces list (duration, spans, services, error, fallback and message/link markers).

export interface JaegerTag {
  key: string;
  type?: string;
  value: unknown;
}

export interface JaegerSpan {
  traceID: string;
  spanID: string;
  operationName: string;
  references: { refType: string; traceID: string; spanID: string }[];
  /** Microseconds since the epoch. */
  startTime: number;
  /** Microseconds. */
  duration: number;
  tags: JaegerTag[];
  logs: { timestamp: number; fields: JaegerTag[] }[];
  processID: string;
  warnings?: string[] | null;
}

export interface JaegerTrace {
  traceID: string;
  spans: JaegerSpan[];
  processes: Record<string, { serviceName: string; tags: JaegerTag[] }>;
}

export interface TraceSummary {
  traceId: string;
  rootService: string;
  rootOperation: string;
  /** Milliseconds since the epoch. */
  startMs: number;
  durationMs: number;
  spanCount: number;
  services: { name: string; spans: number }[];
  errorCount: number;
  fallbackReason: string | undefined;
  /** Other traces this one's spans link to (a batch consumer links to each message's trace). */
  linkedTraceCount: number;
  /** Messages its producer spans sent: their processing happens after the response, often in another trace. */
  messagesSent: number;
}

const tagValue = (span: JaegerSpan, key: string) => span.tags.find((t) => t.key === key)?.value;

export function summarizeTrace(trace: JaegerTrace): TraceSummary {
  const ids = new Set(trace.spans.map((s) => s.spanID));
  let start = Number.POSITIVE_INFINITY;
  let end = Number.NEGATIVE_INFINITY;
  const services = new Map<string, number>();
  let errorCount = 0;
  let fallbackReason: string | undefined;
  let root: JaegerSpan | undefined;
  const linkedTraces = new Set<string>();
  let messagesSent = 0;
  for (const span of trace.spans) {
    start = Math.min(start, span.startTime);
    end = Math.max(end, span.startTime + span.duration);
    const service = trace.processes[span.processID]?.serviceName ?? 'unknown';
    services.set(service, (services.get(service) ?? 0) + 1);
    if (tagValue(span, 'error') === true || tagValue(span, 'error') === 'true') errorCount++;
    const reason = tagValue(span, 'tracelab.fallback.reason');
    if (typeof reason === 'string') fallbackReason = reason;
    // Jaeger writes OTLP links as references too; one to another trace is a link.
    for (const r of span.references) if (r.traceID !== trace.traceID) linkedTraces.add(r.traceID);
    if (tagValue(span, 'span.kind') === 'producer') messagesSent++;
    const isRoot = !span.references.some((r) => ids.has(r.spanID));
    if (isRoot && (!root || span.startTime < root.startTime)) root = span;
  }
  return {
    traceId: trace.traceID,
    rootService: root ? (trace.processes[root.processID]?.serviceName ?? 'unknown') : 'unknown',
    rootOperation: root?.operationName ?? '(no spans)',
    startMs: trace.spans.length ? start / 1000 : 0,
    durationMs: trace.spans.length ? (end - start) / 1000 : 0,
    spanCount: trace.spans.length,
    services: [...services].map(([name, spans]) => ({ name, spans })).sort((a, b) => a.name.localeCompare(b.name)),
    errorCount,
    fallbackReason,
    linkedTraceCount: linkedTraces.size,
    messagesSent,
  };
}
