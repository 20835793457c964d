import { describe, expect, it } from 'vitest';
import { type JaegerSpan, type JaegerTrace, summarizeTrace } from '../../../console/web/src/model/jaeger';

const TRACE = '1'.repeat(32);
const span = (spanID: string, kind: string, references: JaegerSpan['references'] = [], processID = 'p1'): JaegerSpan => ({
  traceID: TRACE,
  spanID,
  operationName: `op ${spanID}`,
  references,
  startTime: 1_000_000,
  duration: 5_000,
  tags: [{ key: 'span.kind', value: kind }],
  logs: [],
  processID,
});
const processes = { p1: { serviceName: 'shop', tags: [] }, p2: { serviceName: 'auditor', tags: [] } };

describe('trace list summary', () => {
  it('counts the messages a request sent; its parent references are not links', () => {
    const trace: JaegerTrace = {
      traceID: TRACE,
      processes,
      spans: [
        span('a', 'server'),
        span('b', 'producer', [{ refType: 'CHILD_OF', traceID: TRACE, spanID: 'a' }]),
        span('c', 'producer', [{ refType: 'CHILD_OF', traceID: TRACE, spanID: 'a' }]),
      ],
    };
    expect(summarizeTrace(trace)).toMatchObject({ rootOperation: 'op a', messagesSent: 2, linkedTraceCount: 0 });
  });

  it('counts the distinct other traces a batch span links to (Jaeger writes links as FOLLOWS_FROM references)', () => {
    const [x, y] = ['2'.repeat(32), '3'.repeat(32)];
    const trace: JaegerTrace = {
      traceID: TRACE,
      processes,
      spans: [
        span(
          'batch',
          'consumer',
          [
            { refType: 'FOLLOWS_FROM', traceID: x, spanID: 'p' },
            { refType: 'FOLLOWS_FROM', traceID: y, spanID: 'q' },
            { refType: 'FOLLOWS_FROM', traceID: x, spanID: 'r' },
          ],
          'p2',
        ),
      ],
    };
    expect(summarizeTrace(trace)).toMatchObject({
      rootService: 'auditor',
      rootOperation: 'op batch',
      messagesSent: 0,
      linkedTraceCount: 2,
    });
  });
});
