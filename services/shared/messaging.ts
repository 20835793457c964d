// The asynchronous hop, instrumented by hand: no OpenTelemetry instrumentation exists for the
// NATS client, so this module makes the producer and consumer spans itself, with the messaging
// semantic conventions, and carries the trace context in the message headers through the
// propagation API (docs/async-tracing.md). The gateway publishes with EventPublisher; the model
// monitor (model-inference) consumes with the helpers at the end.
import { randomUUID } from 'node:crypto';
import { type JetStreamClient, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, headers, type MsgHdrs, type NatsConnection } from '@nats-io/transport-node';
import {
  type Context,
  context,
  type Link,
  metrics,
  propagation,
  SpanKind,
  SpanStatusCode,
  type TextMapGetter,
  trace,
} from '@opentelemetry/api';
import type { Logger } from './logger';

/** The stream of prediction events, and the one of the events no consumer could process. */
export const PREDICTION_STREAM = 'PREDICTIONS';
export const PREDICTION_SUBJECT = 'tracelab.predictions';
const DEAD_LETTER_STREAM = 'PREDICTIONS_DEAD';
export const DEAD_LETTER_SUBJECT = 'tracelab.predictions.dead';

const tracer = trace.getTracer('tracelab-messaging');
const meter = metrics.getMeter('tracelab-messaging');

/** Spans of the messaging semantic conventions: one destination, one operation. */
export const messagingAttributes = (subject: string, operation: 'send' | 'process') => ({
  'messaging.system': 'nats',
  'messaging.destination.name': subject,
  'messaging.operation.type': operation,
  'messaging.operation.name': operation === 'send' ? 'publish' : 'process',
});

/** Writes the propagators' fields (traceparent, tracestate, baggage) into NATS headers. */
const headerSetter = { set: (carrier: MsgHdrs, key: string, value: string) => carrier.set(key, value) };

export const headerGetter: TextMapGetter<MsgHdrs | undefined> = {
  keys: (carrier) => (carrier ? carrier.keys() : []),
  get: (carrier, key) => (carrier?.has(key) ? carrier.get(key) : undefined),
};

/** The producer's span context carried by a message's headers, as a link; undefined without one. */
export function producerLink(msgHeaders: MsgHdrs | undefined): Link | undefined {
  const extracted = trace.getSpanContext(propagation.extract(context.active(), msgHeaders, headerGetter));
  return extracted && trace.isSpanContextValid(extracted) ? { context: extracted } : undefined;
}

/** Connects and reconnects for ever in the background; the caller never waits for the broker. */
export function connectInBackground(
  url: string,
  name: string,
  logger: Logger,
  onConnected: (nc: NatsConnection) => Promise<void>,
): { close(): Promise<void> } {
  let connection: NatsConnection | undefined;
  let closed = false;
  const attempt = async () => {
    while (!closed) {
      try {
        connection = await connect({ servers: url, name, maxReconnectAttempts: -1, reconnectTimeWait: 1000, timeout: 2000 });
        if (closed) break;
        logger.info({ url }, 'connected to the broker');
        await onConnected(connection);
        void connection.closed().then((error) => {
          if (!closed) logger.warn({ cause: String(error) }, 'broker connection closed');
        });
        return;
      } catch (error) {
        logger.warn({ url, cause: String(error) }, 'broker not reachable; retrying in 2 s');
        await connection?.close().catch(() => undefined);
        connection = undefined;
        await new Promise((resolve) => setTimeout(resolve, 2000).unref());
      }
    }
  };
  void attempt();
  return {
    async close() {
      closed = true;
      await connection?.drain().catch(() => undefined);
    },
  };
}

/** Creates the streams that are missing (both ends call it: either may start first). */
export async function ensureStreams(nc: NatsConnection): Promise<void> {
  const jsm = await jetstreamManager(nc);
  for (const [name, subject] of [
    [PREDICTION_STREAM, PREDICTION_SUBJECT],
    [DEAD_LETTER_STREAM, DEAD_LETTER_SUBJECT],
  ] as const) {
    try {
      await jsm.streams.info(name);
    } catch {
      await jsm.streams.add({
        name,
        subjects: [subject],
        // A bounded backlog: a day, or 256 MiB, whichever comes first.
        max_age: 24 * 3600 * 1e9,
        max_bytes: 256 * 1024 * 1024,
        // Within two minutes a repeated message id is stored once: a publish retried after a lost ack.
        duplicate_window: 120 * 1e9,
      });
    }
  }
}

const publishFailures = meter.createCounter('tracelab.messaging.publish.failures', {
  description: 'Events that could not be published, by reason (buffer_full, broker_error, shutdown)',
});
const published = meter.createCounter('tracelab.messaging.published', { description: 'Events the broker acknowledged' });

interface Pending {
  subject: string;
  data: Uint8Array;
  msgHeaders: MsgHdrs;
  messageId: string;
  span: ReturnType<typeof tracer.startSpan>;
  attempts: number;
}

export interface PublisherOptions {
  url: string;
  /** Events waiting for the broker at most; a further one is dropped and counted. */
  capacity: number;
  logger: Logger;
  /** Publishes awaiting their acknowledgement at once. */
  maxInFlight?: number;
  /** Attempts per event before it is dropped and counted. */
  maxAttempts?: number;
  publishTimeoutMs?: number;
  /** Whether the headers carry the trace context (the lab turns it off: broken-event-propagation). */
  propagateContext?: () => boolean;
  /**
   * How long a new event may wait for others to go out with it (as a Kafka producer's linger.ms):
   * events sent together share one socket write and their acks one read, which costs the
   * gateway far less CPU than a write and a read per event (docs/async-tracing.md#cost).
   */
  lingerMs?: number;
}

/**
 * Publishes events to JetStream without ever making the caller wait: `publish` only starts the
 * producer span and queues the event in a bounded buffer, which drains while the broker is
 * connected. An event the buffer cannot take, or the broker refuses `maxAttempts` times, is
 * counted (tracelab.messaging.publish.failures), logged and ends its span with an error.
 */
export class EventPublisher {
  private readonly queue: Pending[] = [];
  private inFlight = 0;
  private js: JetStreamClient | undefined;
  private readonly connection: { close(): Promise<void> };
  private readonly options: Required<PublisherOptions>;
  private droppedSinceLog = 0;
  private lingering: NodeJS.Timeout | undefined;
  private lastDropLog = 0;

  constructor(options: PublisherOptions) {
    this.options = { maxInFlight: 64, maxAttempts: 5, publishTimeoutMs: 2000, propagateContext: () => true, lingerMs: 20, ...options };
    meter
      .createObservableGauge('tracelab.messaging.publish.buffered', { description: 'Events waiting for the broker' })
      .addCallback((result) => result.observe(this.queue.length + this.inFlight));
    this.connection = connectInBackground(this.options.url, 'gateway-publisher', this.options.logger, async (nc) => {
      await ensureStreams(nc);
      this.js = jetstream(nc);
      nc.closed().then(() => {
        this.js = undefined;
      });
      this.pump();
    });
  }

  /** Queues an event whose trace continues from `parent` (the request's context). */
  publish(subject: string, event: object, parent: Context = context.active()): void {
    const messageId = randomUUID();
    const span = tracer.startSpan(
      `publish ${subject}`,
      { kind: SpanKind.PRODUCER, attributes: { ...messagingAttributes(subject, 'send'), 'messaging.message.id': messageId } },
      parent,
    );
    const msgHeaders = headers();
    if (this.options.propagateContext()) propagation.inject(trace.setSpan(parent, span), msgHeaders, headerSetter);
    if (this.queue.length >= this.options.capacity) {
      this.fail({ subject, data: new Uint8Array(), msgHeaders, messageId, span, attempts: 0 }, 'buffer_full');
      return;
    }
    const data = new TextEncoder().encode(JSON.stringify(event));
    span.setAttribute('messaging.message.body.size', data.byteLength);
    this.queue.push({ subject, data, msgHeaders, messageId, span, attempts: 0 });
    this.lingering ??= setTimeout(() => {
      this.lingering = undefined;
      this.pump();
    }, this.options.lingerMs);
  }

  /** Events not yet acknowledged by the broker. */
  get pending(): number {
    return this.queue.length + this.inFlight;
  }

  /** Gives in-flight publishes `waitMs` to finish, counts the rest as lost and disconnects. */
  async close(waitMs = 2000): Promise<void> {
    const deadline = Date.now() + waitMs;
    while (this.pending > 0 && this.js && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    for (const item of this.queue.splice(0)) this.fail(item, 'shutdown');
    await this.connection.close();
  }

  private pump(): void {
    while (this.js && this.inFlight < this.options.maxInFlight && this.queue.length > 0) {
      const item = this.queue.shift()!;
      this.inFlight++;
      void this.send(this.js, item).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
  }

  private async send(js: JetStreamClient, item: Pending): Promise<void> {
    item.attempts++;
    try {
      const ack = await js.publish(item.subject, item.data, {
        headers: item.msgHeaders,
        msgID: item.messageId,
        timeout: this.options.publishTimeoutMs,
      });
      item.span.setAttributes({ 'messaging.nats.stream.sequence': ack.seq, 'messaging.nats.duplicate': ack.duplicate });
      if (item.attempts > 1) item.span.setAttribute('messaging.nats.publish.attempts', item.attempts);
      published.add(1);
      item.span.end();
    } catch (error) {
      item.span.addEvent('publish failed', { 'exception.message': String(error), attempt: item.attempts });
      if (item.attempts >= this.options.maxAttempts) this.fail(item, 'broker_error', error);
      else {
        // Back in front, after a pause (the broker may be restarting); the same message id
        // makes a publish whose ack was lost count once.
        await new Promise((resolve) => setTimeout(resolve, 200 * item.attempts).unref());
        this.queue.unshift(item);
      }
    }
  }

  private fail(item: Pending, reason: 'buffer_full' | 'broker_error' | 'shutdown', error?: unknown): void {
    publishFailures.add(1, { reason });
    item.span.setAttribute('error.type', reason);
    item.span.setStatus({ code: SpanStatusCode.ERROR, message: `event not published: ${reason}` });
    item.span.end();
    // One line per 10 s at most: a broker outage under load must not flood the log.
    this.droppedSinceLog++;
    const now = Date.now();
    if (now - this.lastDropLog >= 10_000) {
      this.options.logger.warn(
        { reason, dropped: this.droppedSinceLog, buffered: this.pending, cause: error ? String(error) : undefined },
        'prediction events not published',
      );
      this.droppedSinceLog = 0;
      this.lastDropLog = now;
    }
  }
}
