// The model monitor: a durable pull consumer of the gateway's prediction events. It sees every
// answer, including those the fallback rules gave (which never reach the model's endpoint), and
// turns them into the served-score and fallback-share metrics. One CONSUMER span per batch, in a
// trace of its own, linked to each event's producer span (docs/async-tracing.md).
import { AckPolicy, type Consumer, type JetStreamClient, type JsMsg, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { headers, type NatsConnection } from '@nats-io/transport-node';
import { type Link, metrics, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { z } from 'zod';
import { featuresSchema } from '../../shared/features';
import type { Logger } from '../../shared/logger';
import {
  connectInBackground,
  DEAD_LETTER_SUBJECT,
  ensureStreams,
  headerGetter,
  messagingAttributes,
  PREDICTION_STREAM,
  PREDICTION_SUBJECT,
  producerLink,
} from '../../shared/messaging';
import { UNIT_BUCKETS } from './metrics';

/** The durable consumer's name: its position survives restarts of the service and of the broker. */
export const MONITOR_CONSUMER = 'model-monitor';

const tracer = trace.getTracer('model-monitor');
const meter = metrics.getMeter('model-monitor');

const servedScore = meter.createHistogram('tracelab.monitor.served.score', {
  description: 'Score of every answer the gateway gave, by source (model or fallback), from the prediction events',
  advice: { explicitBucketBoundaries: UNIT_BUCKETS },
});
const served = meter.createCounter('tracelab.monitor.served.predictions', {
  description: 'Answers the gateway gave, by source and prediction, from the prediction events (fallback share = fallback / all)',
});
const processedEvents = meter.createCounter('tracelab.monitor.events.processed', {
  description: 'Events processed, by outcome (ok, failed)',
});
const redeliveries = meter.createCounter('tracelab.monitor.redeliveries', {
  description: 'Events delivered again after a failure or a missed ack',
});
const deadLetters = meter.createCounter('tracelab.monitor.dead_letters', {
  description: 'Events given up on and sent to the dead-letter subject',
});
const duplicates = meter.createCounter('tracelab.monitor.duplicates', {
  description: 'Events delivered again after they were processed (their ack was lost): acknowledged, not counted twice',
});

/** The server redelivers an event not acknowledged within this time. */
const ACK_WAIT_MS = 30_000;

/** What the gateway publishes (services/gateway/src/server.ts). */
const predictionEventSchema = z.object({
  event: z.literal('prediction'),
  features: featuresSchema,
  prediction: z.enum(['churn', 'stay']),
  score: z.number().min(0).max(1),
  source: z.enum(['model', 'fallback']),
  model_version: z.string(),
});

export interface MonitorOptions {
  url: string;
  logger: Logger;
  /** Events per batch at most; a batch also closes after batchWaitMs. */
  batchSize: number;
  batchWaitMs: number;
  /** Deliveries of one event before it goes to the dead-letter subject. */
  maxDeliver: number;
  /** Called for each event before it counts (a fault can make it slow or fail). */
  beforeProcessing?: (event: z.infer<typeof predictionEventSchema>) => Promise<void>;
}

/** Starts consuming in the background; the service serves whether the broker is there or not. */
export function startModelMonitor(options: MonitorOptions): { close(): Promise<void> } {
  const { logger } = options;
  let stopped = false;
  const processed = new ProcessedEvents();
  const lag = { pending: 0, oldestUnackedS: 0 };
  meter
    .createObservableGauge('tracelab.monitor.lag.pending', {
      description: 'Events not yet acknowledged by the monitor (waiting or in flight)',
    })
    .addCallback((result) => result.observe(lag.pending));
  meter
    .createObservableGauge('tracelab.monitor.lag.oldest_unacked_age', {
      description: 'Age of the oldest event the monitor has not acknowledged (0 with none)',
      unit: 's',
    })
    .addCallback((result) => result.observe(lag.oldestUnackedS));

  const connection = connectInBackground(options.url, 'model-monitor', logger, async (nc) => {
    await ensureStreams(nc);
    const jsm = await jetstreamManager(nc);
    // Explicit acks; the server redelivers an unacknowledged event after ack_wait and stops at
    // max_deliver (one more than ours, so our last attempt can still dead-letter it).
    await jsm.consumers.add(PREDICTION_STREAM, {
      durable_name: MONITOR_CONSUMER,
      ack_policy: AckPolicy.Explicit,
      filter_subject: PREDICTION_SUBJECT,
      ack_wait: ACK_WAIT_MS * 1e6,
      max_deliver: options.maxDeliver + 1,
    });
    const js = jetstream(nc);
    const consumer = await js.consumers.get(PREDICTION_STREAM, MONITOR_CONSUMER);
    void measureLag(nc, consumer, lag, processed, () => stopped);
    void consume(js, consumer, processed, options, () => stopped);
  });
  return {
    async close() {
      stopped = true;
      await connection.close();
    },
  };
}

/**
 * The stream sequences this monitor processed and the server may still deliver again: an ack
 * is fire-and-forget, and one lost (the broker killed) brings the event back. A sequence is
 * forgotten once the consumer's ack floor passed it a minute ago: a broker that restarts may have
 * persisted an older floor than the one it last reported, but not one a minute old.
 */
class ProcessedEvents {
  private readonly sequences = new Set<number>();
  private readonly floors: { at: number; floor: number }[] = [];

  has(seq: number): boolean {
    return this.sequences.has(seq);
  }

  add(seq: number): void {
    this.sequences.add(seq);
  }

  observeAckFloor(floor: number, now = Date.now()): void {
    this.floors.push({ at: now, floor });
    let settled: number | undefined;
    while (this.floors.length && now - this.floors[0]!.at >= 60_000) settled = this.floors.shift()!.floor;
    if (settled !== undefined) for (const seq of this.sequences) if (seq <= settled) this.sequences.delete(seq);
  }
}

async function consume(
  js: JetStreamClient,
  consumer: Consumer,
  processed: ProcessedEvents,
  options: MonitorOptions,
  isStopped: () => boolean,
): Promise<void> {
  while (!isStopped()) {
    try {
      // Up to batchSize events, or whatever came within batchWaitMs.
      const messages: JsMsg[] = [];
      for await (const message of await consumer.fetch({ max_messages: options.batchSize, expires: options.batchWaitMs }))
        messages.push(message);
      if (messages.length) await processBatch(js, messages, processed, options);
    } catch (error) {
      if (isStopped()) return;
      options.logger.warn({ cause: String(error) }, 'fetching prediction events failed; retrying in 1 s');
      await new Promise((resolve) => setTimeout(resolve, 1000).unref());
    }
  }
}

/**
 * One span for the batch, in a new trace, linked to every event's producer span. It records how
 * long the oldest event waited in the stream: a backlog shows in the trace, not only in the lag
 * metrics.
 */
async function processBatch(js: JetStreamClient, messages: JsMsg[], processed: ProcessedEvents, options: MonitorOptions): Promise<void> {
  const links = messages.map((m) => producerLink(m.headers)).filter((link): link is Link => link !== undefined);
  const started = Date.now();
  const oldestStored = Math.min(...messages.map((m) => m.info.timestampNanos / 1e6));
  await tracer.startActiveSpan(
    `process ${PREDICTION_SUBJECT}`,
    {
      kind: SpanKind.CONSUMER,
      links,
      attributes: {
        ...messagingAttributes(PREDICTION_SUBJECT, 'process'),
        'messaging.batch.message_count': messages.length,
        'messaging.consumer.group.name': MONITOR_CONSUMER,
        'tracelab.monitor.oldest_event_wait_ms': Math.max(0, Math.round(started - oldestStored)),
      },
    },
    ROOT_CONTEXT,
    async (span) => {
      let failed = 0;
      let redelivered = 0;
      let touched = started;
      try {
        for (const [index, message] of messages.entries()) {
          // A slow batch tells the server it is still working on the rest, so they are not
          // delivered again to nobody while this one holds them.
          if (Date.now() - touched > ACK_WAIT_MS / 3) {
            for (const rest of messages.slice(index)) rest.working();
            touched = Date.now();
          }
          if (message.info.deliveryCount > 1) {
            redelivered++;
            redeliveries.add(1);
          }
          if (processed.has(message.seq)) {
            duplicates.add(1);
            message.ack();
            continue;
          }
          try {
            const event = predictionEventSchema.parse(message.json());
            await options.beforeProcessing?.(event);
            servedScore.record(event.score, { source: event.source });
            served.add(1, { source: event.source, prediction: event.prediction });
            processedEvents.add(1, { outcome: 'ok' });
            processed.add(message.seq);
            message.ack();
          } catch (error) {
            failed++;
            processedEvents.add(1, { outcome: 'failed' });
            await handleFailure(js, message, error, options);
          }
        }
        span.setAttributes({ 'tracelab.monitor.failed': failed, 'tracelab.monitor.redelivered': redelivered });
        if (failed) span.setStatus({ code: SpanStatusCode.ERROR, message: `${failed} of ${messages.length} events failed` });
      } finally {
        span.end();
      }
    },
  );
}

/** Redelivered later, or after maxDeliver attempts sent to the dead-letter subject with its context. */
async function handleFailure(js: JetStreamClient, message: JsMsg, error: unknown, options: MonitorOptions): Promise<void> {
  const { deliveryCount } = message.info;
  const producer = trace.getSpanContext(propagation.extract(ROOT_CONTEXT, message.headers, headerGetter));
  const span = trace.getActiveSpan();
  const where = { delivery: deliveryCount, stream_sequence: message.seq, producer_trace_id: producer?.traceId, cause: String(error) };
  span?.addEvent('event failed', { 'messaging.message.delivery_count': deliveryCount, 'exception.message': String(error) });
  if (deliveryCount < options.maxDeliver) {
    options.logger.warn(where, 'prediction event failed; it will be delivered again');
    message.nak(500 * deliveryCount);
    return;
  }
  try {
    // The original headers (its trace context) and why it died travel with the dead letter.
    const dead = headers();
    for (const key of message.headers?.keys() ?? []) dead.set(key, message.headers!.get(key));
    dead.set('Tracelab-Dead-Reason', String(error).slice(0, 200));
    dead.set('Tracelab-Deliveries', String(deliveryCount));
    await js.publish(DEAD_LETTER_SUBJECT, message.data, { headers: dead, msgID: `dead-${message.seq}` });
    deadLetters.add(1);
    options.logger.error(where, 'prediction event sent to the dead-letter subject');
    message.term('dead-lettered');
  } catch (publishError) {
    // Not acknowledged: the server delivers it once more (max_deliver is one above ours).
    options.logger.error({ ...where, dead_letter_error: String(publishError) }, 'dead-lettering failed');
    message.nak(1000);
  }
}

/** Every 2 s: events waiting or unacknowledged, and the age of the oldest unacknowledged one. */
async function measureLag(
  nc: NatsConnection,
  consumer: Consumer,
  lag: { pending: number; oldestUnackedS: number },
  processed: ProcessedEvents,
  isStopped: () => boolean,
) {
  const jsm = await jetstreamManager(nc);
  while (!isStopped() && !nc.isClosed()) {
    try {
      const info = await consumer.info();
      processed.observeAckFloor(info.ack_floor.stream_seq);
      lag.pending = info.num_pending + info.num_ack_pending;
      if (lag.pending === 0) lag.oldestUnackedS = 0;
      else {
        // Everything up to the ack floor is acknowledged: the next event is the oldest that is not.
        const oldest = await jsm.streams.getMessage(PREDICTION_STREAM, { seq: info.ack_floor.stream_seq + 1 }).catch(() => null);
        if (oldest) lag.oldestUnackedS = Math.max(0, (Date.now() - oldest.time.getTime()) / 1000);
      }
    } catch {
      // The broker is away: keep the last values until it answers again.
    }
    await new Promise((resolve) => setTimeout(resolve, 2000).unref());
  }
}
