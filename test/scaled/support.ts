// Helpers for the scaled topology's tests: seeded trace ids sent as the caller's context, the
// gateway collectors' own metrics, and what "whole" and "not split" mean for a kept trace.

import { inject } from 'vitest';
import { createRandom, type Random } from '../../services/model-inference/src/rng';
import { backend, instanceNames, instancePort } from '../../tools/backends/index';
import { eventually, type JaegerTrace, jaegerTrace, predict, serviceOf, tag, URLS } from '../e2e/support';

export const GATEWAY_COLLECTORS = instanceNames(backend('collector-gateway'));

/** The metrics endpoint of a collector: the agent (`collector`) or a gateway. */
const metricsUrl = (name: string) =>
  name === 'collector'
    ? `http://127.0.0.1:${backend('collector').ports.metrics}/metrics`
    : `http://127.0.0.1:${instancePort(backend('collector-gateway'), 'metrics', { mode: 'native', replica: GATEWAY_COLLECTORS.indexOf(name) + 1 })}/metrics`;

/**
 * The sum of a metric's samples (the label sets that match `labels`) on one collector;
 * undefined while it has none (a counter appears with its first increment).
 */
export async function collectorMetric(collector: string, name: string, labels: Record<string, string> = {}): Promise<number | undefined> {
  const text = await (await fetch(metricsUrl(collector))).text();
  let sum: number | undefined;
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})? (\S+)/.exec(line);
    if (!match || match[1] !== name) continue;
    if (Object.entries(labels).every(([k, v]) => match[2]?.includes(`${k}="${v}"`))) sum = (sum ?? 0) + Number(match[3]);
  }
  return sum;
}

const DECIDED = 'otelcol_processor_tail_sampling_global_count_traces_sampled';
const HELD = 'otelcol_processor_tail_sampling_sampling_traces_on_memory';

/** Traces each running gateway has decided on so far: kept and dropped. */
export async function decisions(gateways = GATEWAY_COLLECTORS): Promise<{ kept: number; dropped: number }> {
  let kept = 0;
  let dropped = 0;
  for (const gateway of gateways) {
    kept += (await collectorMetric(gateway, DECIDED, { decision: 'sampled' })) ?? 0;
    dropped += (await collectorMetric(gateway, DECIDED, { decision: 'not_sampled' })) ?? 0;
  }
  return { kept, dropped };
}

/** Waits until the gateways hold no undecided trace (nothing in flight from earlier traffic). */
export const untilNothingHeld = (gateways = GATEWAY_COLLECTORS) =>
  eventually(
    async () => {
      for (const gateway of gateways) if ((await collectorMetric(gateway, HELD)) !== 0) return undefined;
      return true;
    },
    { timeoutMs: 60_000, intervalMs: 500, what: 'the gateway collectors to decide every trace they hold' },
  );

/** Waits until the gateways have decided `count` more traces than `before`. */
export const untilDecided = (before: { kept: number; dropped: number }, count: number, gateways = GATEWAY_COLLECTORS) =>
  eventually(
    async () => {
      const now = await decisions(gateways);
      return now.kept + now.dropped - before.kept - before.dropped >= count ? now : undefined;
    },
    { timeoutMs: 90_000, intervalMs: 500, what: `${count} more tail-sampling decisions` },
  );

export const seededRandom = createRandom;

const hex = (random: Random, bytes: number) =>
  Array.from({ length: bytes }, () =>
    Math.floor(random.next() * 256)
      .toString(16)
      .padStart(2, '0'),
  ).join('');

/** A request sent as part of a trace the test chose: the trace id decides the sampling share. */
export interface Sent {
  traceId: string;
  parentSpanId: string;
  status: number;
}

/** A prediction whose trace id comes from `random` (the test's seed), as a caller's traceparent. */
export async function predictInTrace(random: Random): Promise<Sent> {
  const traceId = hex(random, 16);
  const parentSpanId = hex(random, 8);
  const { status } = await predict({ traceparent: `00-${traceId}-${parentSpanId}-01` });
  return { traceId, parentSpanId, status };
}

/**
 * A change of the model's knobs in a trace the test chose: a control call is a trace too, and
 * the probabilistic policy keeps it or not by its id, so a seeded id keeps the count the same on every run.
 */
export async function setModelBehaviourInTrace(random: Random, update: Record<string, number>): Promise<string> {
  const traceId = hex(random, 16);
  const response = await fetch(`${URLS.modelInference}/v1/control`, {
    method: 'PUT',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${inject('controlToken')}`,
      traceparent: `00-${traceId}-${hex(random, 8)}-01`,
    },
    body: JSON.stringify(update),
  });
  if (!response.ok) throw new Error(`control update failed: ${response.status} ${await response.text()}`);
  return traceId;
}

/** The gateway collectors that forwarded a trace's spans (their resource attribute). */
export const gatewaysOf = (trace: JaegerTrace) =>
  new Set(Object.values(trace.processes).map((p) => p.tags.find((t) => t.key === 'tracelab.collector.gateway')?.value));

/**
 * Why a trace is not whole, or undefined when it is: one span under the caller's span, every
 * other span under a span of the trace, and a server span under every client span.
 */
export function incompleteness(trace: JaegerTrace, sent: Sent, services: string[]): string | undefined {
  const ids = new Set(trace.spans.map((s) => s.spanID));
  const parentOf = (s: JaegerTrace['spans'][number]) => s.references.find((r) => r.refType === 'CHILD_OF')?.spanID;
  const roots = trace.spans.filter((s) => parentOf(s) === sent.parentSpanId);
  if (roots.length !== 1) return `${roots.length} spans under the caller's span`;
  const orphans = trace.spans.filter((s) => parentOf(s) !== sent.parentSpanId && !ids.has(parentOf(s) ?? ''));
  if (orphans.length) return `${orphans.length} spans whose parent is missing`;
  const parents = new Set(trace.spans.map(parentOf));
  const unanswered = trace.spans.filter((s) => tag(s, 'span.kind') === 'client' && !parents.has(s.spanID));
  if (unanswered.length) return `${unanswered.length} client spans without their server span`;
  const present = new Set(trace.spans.map((s) => serviceOf(trace, s)));
  const missing = services.filter((s) => !present.has(s));
  return missing.length ? `no spans from ${missing.join(', ')}` : undefined;
}

/** The trace once Jaeger has all of it, or as it is after the deadline (for the assertion to name). */
export async function settledTrace(sent: Sent, services: string[], timeoutMs = 20_000): Promise<JaegerTrace | undefined> {
  return eventually(
    async () => {
      const trace = await jaegerTrace(sent.traceId);
      return trace && !incompleteness(trace, sent, services) ? trace : undefined;
    },
    { timeoutMs, intervalMs: 500, what: `trace ${sent.traceId} whole in Jaeger` },
  ).catch(() => jaegerTrace(sent.traceId));
}
