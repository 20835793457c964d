// OpenTelemetry in the browser, loaded on demand (dynamic import) by the "send a prediction"
// form so that the page's initial JavaScript stays small. A tracer provider with the web stack
// context manager and the W3C trace-context propagator; the fetch instrumentation makes a client
// span for the gateway call and puts its `traceparent` on the request; spans are exported over
// OTLP/HTTP to the console's own origin (/otlp/v1/traces), which forwards them to the collector.
import { context, propagation, type Span, SpanStatusCode, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { FetchInstrumentation } from '@opentelemetry/instrumentation-fetch';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { type ReadableSpan, SimpleSpanProcessor, type SpanProcessor, StackContextManager, TracerProvider } from '@opentelemetry/sdk-trace';

/** The service name the browser's spans carry. */
export const BROWSER_SERVICE = 'console-browser';
/** Only the gateway call is traced: the console's own reads (Jaeger, Prometheus…) and exports are not. */
const GATEWAY_PATH = '/api/gateway/';

let provider: TracerProvider | undefined;

/**
 * Counts the spans still open. The fetch instrumentation ends its client span a little after the
 * response (once the browser's resource timing is in), so the action's span waits for it.
 */
class OpenSpans implements SpanProcessor {
  private open = 0;
  /** When the latest span ended, ms since the epoch. */
  lastEndMs = 0;
  private waiting: { atMost: number; resolve: () => void }[] = [];
  onStart(): void {
    this.open++;
  }
  onEnd(span: ReadableSpan): void {
    this.open--;
    const [seconds, nanos] = span.endTime;
    this.lastEndMs = Math.max(this.lastEndMs, seconds * 1e3 + nanos / 1e6);
    const done = this.waiting.filter((w) => this.open <= w.atMost);
    this.waiting = this.waiting.filter((w) => this.open > w.atMost);
    for (const w of done) w.resolve();
  }
  /** Resolves when at most `atMost` spans are open, or after `timeoutMs`. */
  settled(atMost: number, timeoutMs: number): Promise<void> {
    if (this.open <= atMost) return Promise.resolve();
    return new Promise((resolve) => {
      this.waiting.push({ atMost, resolve });
      setTimeout(resolve, timeoutMs);
    });
  }
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
const openSpans = new OpenSpans();

function start(): TracerProvider {
  if (provider) return provider;
  const exporter = new OTLPTraceExporter({ url: `${location.origin}/otlp/v1/traces` });
  provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': BROWSER_SERVICE, 'service.namespace': 'tracelab' }),
    // One span at a time, exported as it ends: a person's click, not a stream.
    spanProcessors: [openSpans, new SimpleSpanProcessor({ exporter })],
  });
  trace.setGlobalTracerProvider(provider);
  context.setGlobalContextManager(new StackContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [new FetchInstrumentation({ ignoreUrls: [new RegExp(`^(?!${location.origin}${GATEWAY_PATH})`)] })],
  });
  return provider;
}

/**
 * Runs `action` inside a new root span named `name` (a person's action in the browser): fetches
 * it makes to the gateway are its children and carry its trace context. Every span is exported
 * before this resolves.
 */
export async function traced<T>(name: string, attributes: Record<string, string | number>, action: (span: Span) => Promise<T>): Promise<T> {
  const tracer = start().getTracer('tracelab-console');
  const span = tracer.startSpan(name, { root: true, attributes });
  let doneMs = 0;
  try {
    const result = await context.with(trace.setSpan(context.active(), span), () => action(span));
    doneMs = performance.timeOrigin + performance.now();
    return result;
  } catch (error) {
    doneMs = performance.timeOrigin + performance.now();
    span.recordException(error as Error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
    throw error;
  } finally {
    // The fetch span is ended a little later, once the browser's resource timing is in: wait for
    // it, then end the action's span when the action was done (or its last child, if later).
    await openSpans.settled(1, 5000);
    span.end(Math.max(doneMs, openSpans.lastEndMs));
    await provider!.forceFlush();
  }
}
