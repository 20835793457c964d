import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeTrace, MalformedTraceIdError, normalizeJaegerTrace, parseTraceId, UnreadableTraceError } from '../../../analysis';
import { idOf, otlpJson, type SpanSpec, TRACE_ID, traceOf } from './fixtures';

const specs: SpanSpec[] = [
  {
    id: 'gw',
    service: 'gateway',
    name: 'POST /v1/predict',
    kind: 'server',
    start: 0,
    end: 50,
    attributes: { 'http.route': '/v1/predict' },
  },
  {
    id: 'call',
    parent: 'gw',
    service: 'gateway',
    name: 'POST',
    kind: 'client',
    start: 2,
    end: 48,
    attributes: { 'peer.service': 'model-inference' },
  },
  { id: 'mi', parent: 'call', service: 'model-inference', name: 'POST /v1/predict', kind: 'server', start: 3, end: 47 },
  {
    id: 'infer',
    parent: 'mi',
    service: 'model-inference',
    name: 'model.infer',
    start: 4,
    end: 46,
    error: 'failed',
    events: [{ name: 'exception', at: 45, attributes: { 'exception.message': 'boom' } }],
  },
];

/** The same spans as Jaeger's legacy /api/traces JSON (microseconds, tags, references, processes). */
function legacyJson(list: SpanSpec[]) {
  const services = [...new Set(list.map((s) => s.service ?? 'svc'))];
  const us = (ms: number) => 1_764_100_000_000_000 + Math.round(ms * 1000);
  return {
    data: [
      {
        traceID: TRACE_ID,
        processes: Object.fromEntries(
          services.map((service, i) => [`p${i + 1}`, { serviceName: service, tags: [{ key: 'host.name', type: 'string', value: 'box' }] }]),
        ),
        spans: list.map((s) => ({
          traceID: TRACE_ID,
          spanID: idOf(s.id),
          operationName: s.name ?? s.id,
          references: s.parent ? [{ refType: 'CHILD_OF', traceID: TRACE_ID, spanID: idOf(s.parent) }] : [],
          startTime: us(s.start),
          duration: us(s.end) - us(s.start),
          tags: [
            ...Object.entries(s.attributes ?? {}).map(([key, value]) => ({ key, type: 'string', value })),
            { key: 'span.kind', type: 'string', value: s.kind ?? 'internal' },
            ...(s.error
              ? [
                  { key: 'otel.status_code', type: 'string', value: 'ERROR' },
                  { key: 'otel.status_description', type: 'string', value: s.error },
                  { key: 'error', type: 'bool', value: true },
                ]
              : []),
          ],
          logs: (s.events ?? []).map((e) => ({
            timestamp: us(e.at),
            fields: [
              { key: 'event', type: 'string', value: e.name },
              ...Object.entries(e.attributes ?? {}).map(([key, value]) => ({ key, type: 'string', value })),
            ],
          })),
          processID: `p${services.indexOf(s.service ?? 'svc') + 1}`,
        })),
      },
    ],
  };
}

describe('reading Jaeger traces', () => {
  it('reads the OTLP JSON of /api/v3/traces into one tree, times in ns from the trace start', () => {
    const trace = traceOf(specs);
    expect(trace.traceId).toBe(TRACE_ID);
    expect(trace.startUnixNano).toBe('1764100000000000000');
    expect(trace.durationNs).toBe(50e6);
    expect(trace.roots).toEqual([idOf('gw')]);
    expect(trace.spans.map((s) => [s.name, s.depth, s.startNs])).toEqual([
      ['POST /v1/predict', 0, 0],
      ['POST', 1, 2e6],
      ['POST /v1/predict', 2, 3e6],
      ['model.infer', 3, 4e6],
    ]);
    const infer = trace.spans[3]!;
    expect(infer).toMatchObject({
      service: 'model-inference',
      kind: 'internal',
      parentId: idOf('mi'),
      status: { code: 'error', message: 'failed' },
      events: [{ name: 'exception', timeNs: 45e6, attributes: { 'exception.message': 'boom' } }],
      resource: { 'service.name': 'model-inference' },
      scope: { name: 'fixture' },
    });
  });

  it('reads the legacy JSON of /api/traces into the same model and the same analysis', () => {
    const fromLegacy = analyzeTrace(normalizeJaegerTrace(legacyJson(specs)));
    const fromOtlp = analyzeTrace(traceOf(specs));
    const comparable = (r: typeof fromOtlp) => ({
      ...r,
      spans: r.spans.map(({ resource: _resource, scope: _scope, ...span }) => span),
    });
    expect(comparable(fromLegacy)).toEqual(comparable(fromOtlp));
    expect(fromLegacy.spans[0]!.resource).toEqual({ 'host.name': 'box', 'service.name': 'gateway' });
  });

  it('accepts base64 ids (protobuf JSON) and string enums', () => {
    const json = otlpJson([{ id: 'a', start: 0, end: 1 }]) as { result: { resourceSpans: any[] } };
    const span = json.result.resourceSpans[0].scopeSpans[0].spans[0];
    span.traceId = btoa(String.fromCharCode(...TRACE_ID.match(/../g)!.map((h) => Number.parseInt(h, 16))));
    span.kind = 'SPAN_KIND_SERVER';
    span.status = { code: 'STATUS_CODE_ERROR' };
    const trace = normalizeJaegerTrace(json);
    expect(trace.traceId).toBe(TRACE_ID);
    expect(trace.spans[0]).toMatchObject({ kind: 'server', status: { code: 'error' } });
  });

  it('survives a parent cycle and duplicate span ids, and says so', () => {
    const trace = traceOf([
      { id: 'a', parent: 'b', start: 0, end: 10 },
      { id: 'b', parent: 'a', start: 1, end: 9 },
      { id: 'a', start: 0, end: 10 },
    ]);
    expect(trace.spans).toHaveLength(2);
    expect(trace.roots).toHaveLength(1);
    expect(trace.warnings.join('\n')).toMatch(/duplicate span id[\s\S]*parent cycle/);
    expect(analyzeTrace(trace).critical_path.length).toBeGreaterThan(0);
  });

  it('rejects what is not a trace', () => {
    expect(() => normalizeJaegerTrace({ data: [] })).toThrow(UnreadableTraceError);
    expect(() => normalizeJaegerTrace({ hello: 1 })).toThrow(/not a Jaeger trace/);
  });

  it('checks trace ids: 32 or 16 hex digits, not all zero', () => {
    expect(parseTraceId(' 0AF7651916CD43DD8448EB211C80319C ')).toBe(TRACE_ID);
    expect(parseTraceId('8448eb211c80319c')).toBe('00000000000000008448eb211c80319c');
    for (const bad of ['', 'xyz', '123', '0'.repeat(32), `${TRACE_ID}0`, 'g'.repeat(32)]) {
      expect(() => parseTraceId(bad)).toThrow(MalformedTraceIdError);
    }
  });
});

describe('the core stays browser-safe', () => {
  it('imports nothing from Node: only loaders.ts talks to the network, through the global fetch (of clients/)', () => {
    const files = ['analysis', 'clients'].flatMap((folder) => {
      const dir = path.join(__dirname, '../../..', folder);
      return fs
        .readdirSync(dir)
        .filter((f) => f.endsWith('.ts'))
        .map((f) => path.join(dir, f));
    });
    for (const full of files) {
      const file = path.relative(path.join(__dirname, '../../..'), full);
      const source = fs.readFileSync(full, 'utf8');
      expect({ file, node: /from ['"](node:|fs|path|http|os|url|util)['"]|require\(|process\./.test(source) }).toEqual({
        file,
        node: false,
      });
      expect({
        file,
        imports: [...source.matchAll(/from '([^']+)'/g)]
          .map((m) => m[1])
          .filter((m) => !m!.startsWith('./') && !m!.startsWith('../clients/')),
      }).toEqual({
        file,
        imports: [],
      });
    }
  });
});
