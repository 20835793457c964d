// Span links both ways, against a stand-in for Jaeger's v3 API (services and trace search): a
// message processed in its own trace is found there, one processed in a batch trace is found by
// the search, and a span's links to its own trace are not "other traces".
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LinkSource, loadTraceLinks, outgoingLinks } from '../../../analysis';
import { renderLinks } from '../../../analysis/text';

const REQUEST_TRACE = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
const BATCH_TRACE = 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb';
const START_MS = Date.parse('2026-12-03T06:00:00Z');

/** The request: a server span that sent two messages; the first is processed in this trace by a consumer child. */
const request: LinkSource = {
  traceId: REQUEST_TRACE,
  startEpochMs: START_MS,
  spans: [
    { spanId: '01', service: 'shop', name: 'POST /order', kind: 'server', attributes: {}, links: [] },
    {
      spanId: '02',
      parentId: '01',
      service: 'shop',
      name: 'publish orders',
      kind: 'producer',
      attributes: { 'messaging.destination.name': 'orders' },
      links: [],
    },
    { spanId: '03', parentId: '02', service: 'billing', name: 'process orders', kind: 'consumer', attributes: {}, links: [] },
    {
      spanId: '04',
      parentId: '01',
      service: 'shop',
      name: 'publish audit',
      kind: 'producer',
      attributes: { 'messaging.destination.name': 'audit' },
      links: [],
    },
    // A retry inside the same trace links back to the first attempt: not another trace.
    {
      spanId: '05',
      parentId: '01',
      service: 'shop',
      name: 'retry',
      kind: 'internal',
      attributes: {},
      links: [{ traceId: REQUEST_TRACE, spanId: '01' }],
    },
  ],
};

/** Jaeger's answer to a search for `process audit` in service `auditor`: one batch span linking to message 04. */
const batchAnswer = {
  result: {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'auditor' } }] },
        scopeSpans: [
          {
            scope: { name: 'test' },
            spans: [
              {
                traceId: BATCH_TRACE,
                spanId: '00000000000000b1',
                name: 'process audit',
                kind: 5,
                startTimeUnixNano: String(BigInt(START_MS + 2000) * 1_000_000n),
                endTimeUnixNano: String(BigInt(START_MS + 2010) * 1_000_000n),
                links: [{ traceId: REQUEST_TRACE, spanId: '04' }],
              },
            ],
          },
        ],
      },
    ],
  },
};

const searches: URLSearchParams[] = [];
let server: http.Server;
let jaegerUrl: string;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    res.setHeader('content-type', 'application/json');
    if (url.pathname === '/api/v3/services') {
      res.end(JSON.stringify({ services: ['auditor', 'billing', 'shop'] }));
    } else if (url.pathname === '/api/v3/traces') {
      searches.push(url.searchParams);
      const hit =
        url.searchParams.get('query.service_name') === 'auditor' && url.searchParams.get('query.operation_name') === 'process audit';
      if (hit) res.end(JSON.stringify(batchAnswer));
      else res.writeHead(404).end(JSON.stringify({ error: { message: 'trace not found' } }));
    } else {
      res.writeHead(404).end('{}');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  jaegerUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise((resolve) => server.close(resolve)));

describe('trace links', () => {
  it('keeps links within the trace out of the links to other traces', () => {
    expect(outgoingLinks(request)).toEqual([]);
  });

  it('finds a message processed in its own trace there, and one processed in a batch by searching after it was sent', async () => {
    const links = await loadTraceLinks(request, { jaegerUrl });
    expect(links.processed_in).toEqual([
      {
        producer_span_id: '02',
        operation: 'publish orders',
        destination: 'orders',
        processed_by: [{ trace_id: REQUEST_TRACE, span_id: '03', service: 'billing', operation: 'process orders', same_trace: true }],
      },
      {
        producer_span_id: '04',
        operation: 'publish audit',
        destination: 'audit',
        processed_by: [
          { trace_id: BATCH_TRACE, span_id: '00000000000000b1', service: 'auditor', operation: 'process audit', same_trace: false },
        ],
      },
    ]);
    // Every service is asked for each destination's processing, from the trace's start on.
    expect(searches.map((p) => `${p.get('query.service_name')}/${p.get('query.operation_name')}`).sort()).toEqual(
      ['auditor', 'billing', 'shop'].flatMap((s) => [`${s}/process audit`, `${s}/process orders`]).sort(),
    );
    expect(new Set(searches.map((p) => p.get('query.start_time_min')))).toEqual(new Set([new Date(START_MS).toISOString()]));

    const text = renderLinks(links);
    expect(text).toContain('publish orders: processed in this trace (billing › process orders, span 03)');
    expect(text).toContain(`publish audit: processed in batch trace ${BATCH_TRACE} (auditor › process audit)`);
  });

  it('lists what a batch span links to, and says when a message has no processing span yet', async () => {
    const batch: LinkSource = {
      traceId: BATCH_TRACE,
      startEpochMs: START_MS + 2000,
      spans: [
        {
          spanId: 'b1',
          service: 'auditor',
          name: 'process audit',
          kind: 'consumer',
          attributes: {},
          links: [{ traceId: REQUEST_TRACE, spanId: '04' }],
        },
      ],
    };
    expect(outgoingLinks(batch)).toEqual([
      { span_id: 'b1', service: 'auditor', operation: 'process audit', targets: [{ trace_id: REQUEST_TRACE, span_id: '04' }] },
    ]);
    const unprocessed: LinkSource = { ...request, spans: request.spans.filter((s) => s.spanId !== '03') };
    const text = renderLinks(await loadTraceLinks(unprocessed, { jaegerUrl }));
    expect(text).toContain('publish orders: no processing span found yet');
  });
});
