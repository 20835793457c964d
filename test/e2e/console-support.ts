// Traces the console's browser tests send to the real collector over OTLP/HTTP JSON, so that
// Jaeger stores them like any application's: the foreign application's fixture trace (with a
// fresh trace id, moved to now) and synthetic traces of any size.
import fs from 'node:fs';
import path from 'node:path';
import { eventually, randomHex, URLS } from './support';

export const COLLECTOR_OTLP_HTTP = 'http://127.0.0.1:4318/v1/traces';
const FOREIGN_APP_TRACE = path.join(__dirname, '../fixtures/foreign-app-trace.json');

export async function sendOtlp(resourceSpans: unknown[]): Promise<void> {
  const response = await fetch(COLLECTOR_OTLP_HTTP, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ resourceSpans }),
  });
  if (!response.ok) throw new Error(`OTLP export to the collector: ${response.status} ${await response.text()}`);
}

interface OtlpSpan {
  traceId: string;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  events: { timeUnixNano: string }[];
}

/** Sends the foreign application's trace under a new trace id, its first span starting a second ago; returns the id and span count. */
export async function sendForeignAppTrace(): Promise<{ traceId: string; spanCount: number }> {
  const fixture = JSON.parse(fs.readFileSync(FOREIGN_APP_TRACE, 'utf8')) as {
    result: { resourceSpans: { scopeSpans: { spans: OtlpSpan[] }[] }[] };
  };
  const { resourceSpans } = fixture.result;
  const spans = resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans));
  const first = spans.reduce(
    (min, s) => (BigInt(s.startTimeUnixNano) < min ? BigInt(s.startTimeUnixNano) : min),
    BigInt(spans[0]!.startTimeUnixNano),
  );
  const shift = BigInt(Date.now() - 1000) * 1_000_000n - first;
  const moved = (t: string) => (BigInt(t) + shift).toString();
  const traceId = randomHex(16);
  for (const span of spans) {
    span.traceId = traceId;
    span.startTimeUnixNano = moved(span.startTimeUnixNano);
    span.endTimeUnixNano = moved(span.endTimeUnixNano);
    for (const event of span.events) event.timeUnixNano = moved(event.timeUnixNano);
  }
  await sendOtlp(resourceSpans);
  return { traceId, spanCount: spans.length };
}

/** Sends one trace of `count` spans in batches: a tree of fan-out 8 in two services. */
export async function sendSyntheticTrace(traceId: string, count: number): Promise<void> {
  const now = BigInt(Date.now()) * 1_000_000n;
  const rootDurationNs = 2_000_000_000n;
  const spans: { spanId: string; parent?: string; start: bigint; end: bigint; depth: number; name: string }[] = [];
  for (let i = 0; i < count; i++) {
    const parentIndex = i === 0 ? -1 : Math.floor((i - 1) / 8);
    const parent = spans[parentIndex];
    const slot = BigInt((i - 1) % 8);
    const start = parent ? parent.start + ((parent.end - parent.start) * slot) / 9n + 1000n : now;
    const end = parent ? start + (parent.end - parent.start) / 9n : now + rootDurationNs;
    spans.push({ spanId: randomHex(8), parent: parent?.spanId, start, end, depth: parent ? parent.depth + 1 : 0, name: `step-${i % 17}` });
  }
  const BATCH = 5000;
  for (let from = 0; from < count; from += BATCH) {
    const batch = spans.slice(from, from + BATCH);
    await sendOtlp(
      ['synthetic-frontend', 'synthetic-backend'].map((service, s) => ({
        resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
        scopeSpans: [
          {
            scope: { name: 'console-e2e' },
            spans: batch
              .filter((span) => (span.depth <= 1 ? 0 : 1) === s)
              .map((span) => ({
                traceId,
                spanId: span.spanId,
                ...(span.parent ? { parentSpanId: span.parent } : {}),
                name: span.name,
                kind: span.depth === 0 ? 2 : 1,
                startTimeUnixNano: span.start.toString(),
                endTimeUnixNano: span.end.toString(),
              })),
          },
        ],
      })),
    );
  }
}

/** Waits until Jaeger holds `count` spans of the trace. */
export async function waitForSpanCount(traceId: string, count: number): Promise<void> {
  await eventually(
    async () => {
      const response = await fetch(`${URLS.jaeger}/api/traces/${traceId}`);
      if (!response.ok) return undefined;
      const trace = ((await response.json()) as { data: { spans: unknown[] }[] }).data[0];
      return trace?.spans.length === count ? true : undefined;
    },
    { timeoutMs: 120_000, intervalMs: 1000, what: `all ${count} spans of ${traceId} in Jaeger` },
  );
}
