// Span links across traces, both ways: the spans of other traces that link to this trace's
// messages (a request's prediction event "was processed in batch …"), and the traces this one's
// spans link to (a batch span links to each event's producer). Jaeger cannot search by link, so
// the first way searches the consumers' operation (`process <destination>`, the messaging
// conventions' span name) in the minutes after each message was sent and keeps the spans that
// link to it. Uses only fetch (through clients/): the CLI and the browser console share it.
import { jaegerClient } from '../clients/jaeger';
import { normalizeJaegerTrace, type Trace } from './model';

/** A span that processed a message, named for display: in another trace (linked), or in this one. */
export interface LinkedSpan {
  trace_id: string;
  span_id: string;
  service: string;
  operation: string;
  /** The consumer continued the producer's trace (a child of the producer span, or linked from within it). */
  same_trace: boolean;
}

/** A message this trace sent, and the spans that processed it (empty: not processed yet, or not found). */
export interface ProcessedMessage {
  producer_span_id: string;
  operation: string;
  destination: string;
  processed_by: LinkedSpan[];
}

/** A span of this trace that links to spans of other traces. */
export interface OutgoingLinks {
  span_id: string;
  service: string;
  operation: string;
  targets: { trace_id: string; span_id: string }[];
}

export interface TraceLinks {
  processed_in: ProcessedMessage[];
  links_to: OutgoingLinks[];
}

/** What finding links needs of a trace: a Trace satisfies it, and so does a report (see the console). */
export interface LinkSource {
  traceId: string;
  startEpochMs: number;
  spans: readonly {
    spanId: string;
    /** The parent span's id, when the span has one in this trace. */
    parentId?: string | undefined;
    service: string;
    name: string;
    kind: string;
    attributes: Record<string, unknown>;
    links: readonly { traceId: string; spanId: string }[];
  }[];
}

/** The links this trace's own spans make to other traces (no backend needed). */
export function outgoingLinks(trace: LinkSource): OutgoingLinks[] {
  return trace.spans
    .map((span) => ({
      span_id: span.spanId,
      service: span.service,
      operation: span.name,
      targets: span.links.filter((l) => l.traceId !== trace.traceId).map((l) => ({ trace_id: l.traceId, span_id: l.spanId })),
    }))
    .filter((s) => s.targets.length > 0);
}

/** How long after a message was sent its processing is looked for. */
const PROCESSING_WINDOW_MS = 5 * 60_000;

/**
 * The consumer spans of this trace that processed a producer's message: its consumer children
 * (the consumer continued the trace), or consumer spans here that link to it.
 */
function processedInThisTrace(trace: LinkSource, producerSpanId: string): LinkedSpan[] {
  return trace.spans
    .filter(
      (span) =>
        span.kind === 'consumer' &&
        (span.parentId === producerSpanId || span.links.some((l) => l.traceId === trace.traceId && l.spanId === producerSpanId)),
    )
    .map((span) => ({ trace_id: trace.traceId, span_id: span.spanId, service: span.service, operation: span.name, same_trace: true }));
}

/**
 * Both ways of a trace's links. A message processed in this trace is found in it; one processed
 * elsewhere by searching Jaeger once per service and destination; a failed search leaves that
 * message's `processed_by` with what this trace holds.
 * @throws BackendUnavailableError when Jaeger does not answer
 */
export async function loadTraceLinks(trace: LinkSource, { jaegerUrl }: { jaegerUrl: string }): Promise<TraceLinks> {
  const jaeger = jaegerClient(jaegerUrl);
  const producers = trace.spans.filter((s) => s.kind === 'producer' && typeof s.attributes['messaging.destination.name'] === 'string');
  const processed_in: ProcessedMessage[] = producers.map((span) => ({
    producer_span_id: span.spanId,
    operation: span.name,
    destination: String(span.attributes['messaging.destination.name']),
    processed_by: processedInThisTrace(trace, span.spanId),
  }));
  if (producers.length) {
    const services = await jaeger.services();
    const destinations = [...new Set(processed_in.map((m) => m.destination))];
    const startMs = Math.floor(trace.startEpochMs);
    const found = await Promise.all(
      services.flatMap((service) =>
        destinations.map(async (destination) => {
          const params = new URLSearchParams({
            'query.service_name': service,
            'query.operation_name': `process ${destination}`,
            'query.start_time_min': new Date(startMs).toISOString(),
            'query.start_time_max': new Date(startMs + PROCESSING_WINDOW_MS).toISOString(),
            'query.num_traces': '100',
          });
          const answer = await jaeger.searchOtlp(params).catch(() => undefined);
          return answer === undefined ? [] : tracesOf(answer);
        }),
      ),
    );
    const byProducer = new Map(processed_in.map((m) => [m.producer_span_id, m]));
    const seen = new Set<string>();
    for (const other of found.flat()) {
      for (const span of other.spans) {
        for (const link of span.links) {
          const message = link.traceId === trace.traceId && span.traceId !== trace.traceId ? byProducer.get(link.spanId) : undefined;
          const key = `${link.spanId}/${span.spanId}`;
          if (!message || seen.has(key)) continue;
          seen.add(key);
          message.processed_by.push({
            trace_id: span.traceId,
            span_id: span.spanId,
            service: span.service,
            operation: span.name,
            same_trace: false,
          });
        }
      }
    }
  }
  return { processed_in, links_to: outgoingLinks(trace) };
}

/** The traces of a search answer (OTLP JSON, spans of many traces together), one model each. */
function tracesOf(answer: unknown): Trace[] {
  const result = (answer as { result?: { resourceSpans?: unknown[] } }).result;
  const byTrace = new Map<string, unknown[]>();
  for (const resourceSpan of (result?.resourceSpans ?? []) as { scopeSpans?: { spans?: { traceId?: string }[] }[] }[]) {
    for (const scopeSpans of resourceSpan.scopeSpans ?? []) {
      for (const span of scopeSpans.spans ?? []) {
        const id = String(span.traceId ?? '').toLowerCase();
        const spans = byTrace.get(id) ?? [];
        spans.push({ ...resourceSpan, scopeSpans: [{ ...scopeSpans, spans: [span] }] });
        byTrace.set(id, spans);
      }
    }
  }
  return [...byTrace.values()].map((resourceSpans) => normalizeJaegerTrace({ resourceSpans }));
}
