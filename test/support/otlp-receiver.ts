// A minimal OTLP/HTTP receiver for the integration tests. The services under test export with
// OTEL_EXPORTER_OTLP_PROTOCOL=http/json, so the real SDK exporters are exercised and this side
// only has to parse JSON (no protobuf decoding). The e2e tests use the real Collector instead.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

type AnyValue = { stringValue?: string; intValue?: string | number; doubleValue?: number; boolValue?: boolean };
type KeyValue = { key: string; value: AnyValue };

export interface ReceivedSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  /** OTLP SpanKind: 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind: number;
  /** Nanoseconds since the epoch, as sent (strings: too big for a number, and JSON-serialisable). */
  startUnixNano: string;
  endUnixNano: string;
  attributes: Record<string, unknown>;
  status: { code?: number; message?: string };
  events: { name: string; attributes: Record<string, unknown> }[];
  links: { traceId: string; spanId: string }[];
}

export interface ReceivedLog {
  service: string;
  traceId: string;
  spanId: string;
  severityText: string;
  body: unknown;
  attributes: Record<string, unknown>;
}

export const SPAN_KIND = { INTERNAL: 1, SERVER: 2, CLIENT: 3, PRODUCER: 4, CONSUMER: 5 } as const;

function value(v: AnyValue | undefined): unknown {
  if (!v) return undefined;
  if (v.intValue !== undefined) return Number(v.intValue);
  return v.stringValue ?? v.doubleValue ?? v.boolValue;
}

function attributes(list: KeyValue[] | undefined): Record<string, unknown> {
  return Object.fromEntries((list ?? []).map((kv) => [kv.key, value(kv.value)]));
}

/** OTLP/JSON ids are hex already (the JS exporter writes hex for JSON). */
const hex = (id: string | undefined) => id ?? '';

export class OtlpReceiver {
  readonly spans: ReceivedSpan[] = [];
  readonly logs: ReceivedLog[] = [];
  private server = http.createServer((req, res) => this.handle(req, res));

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  spansOf(traceId: string): ReceivedSpan[] {
    return this.spans.filter((s) => s.traceId === traceId);
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString() || '{}');
        if (req.url === '/v1/traces') this.addTraces(body);
        else if (req.url === '/v1/logs') this.addLogs(body);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      } catch {
        res.writeHead(400).end();
      }
    });
  }

  private addTraces(body: { resourceSpans?: { resource?: { attributes?: KeyValue[] }; scopeSpans?: { spans?: any[] }[] }[] }): void {
    for (const rs of body.resourceSpans ?? []) {
      const service = String(attributes(rs.resource?.attributes)['service.name']);
      for (const ss of rs.scopeSpans ?? [])
        for (const s of ss.spans ?? [])
          this.spans.push({
            service,
            traceId: hex(s.traceId),
            spanId: hex(s.spanId),
            parentSpanId: hex(s.parentSpanId),
            name: s.name,
            kind: s.kind,
            startUnixNano: String(s.startTimeUnixNano ?? 0),
            endUnixNano: String(s.endTimeUnixNano ?? 0),
            attributes: attributes(s.attributes),
            status: s.status ?? {},
            events: (s.events ?? []).map((e: { name: string; attributes?: KeyValue[] }) => ({
              name: e.name,
              attributes: attributes(e.attributes),
            })),
            links: (s.links ?? []).map((l: { traceId: string; spanId: string }) => ({ traceId: hex(l.traceId), spanId: hex(l.spanId) })),
          });
    }
  }

  private addLogs(body: { resourceLogs?: { resource?: { attributes?: KeyValue[] }; scopeLogs?: { logRecords?: any[] }[] }[] }): void {
    for (const rl of body.resourceLogs ?? []) {
      const service = String(attributes(rl.resource?.attributes)['service.name']);
      for (const sl of rl.scopeLogs ?? [])
        for (const r of sl.logRecords ?? [])
          this.logs.push({
            service,
            traceId: hex(r.traceId),
            spanId: hex(r.spanId),
            severityText: r.severityText,
            body: value(r.body),
            attributes: attributes(r.attributes),
          });
    }
  }
}
