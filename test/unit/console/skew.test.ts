// Clock skew found, not corrected: children sticking out of their parent beyond the tolerance,
// with the raw timestamps, and a note when the critical path may be distorted.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeTrace, findClockSkew, normalizeJaegerTrace, SKEW_TOLERANCE_MS } from '../../../analysis/index';
import { skewText, waterfallOf } from '../../../console/web/src/model/traceView';

const FIXTURE = path.join(__dirname, '../../fixtures/foreign-app-trace.json');
const foreign = normalizeJaegerTrace(JSON.parse(fs.readFileSync(FIXTURE, 'utf8')));

const T0 = 1_700_000_000_000_000_000n;
/** A trace from [id, parent, service, kind, startMs, endMs] rows (kind as OTLP numbers). */
function trace(rows: [string, string | undefined, string, number, number, number][]) {
  const at = (msValue: number) => (T0 + BigInt(Math.round(msValue * 1e6))).toString();
  return normalizeJaegerTrace({
    resourceSpans: [...new Set(rows.map((r) => r[2]))].map((service) => ({
      resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
      scopeSpans: [
        {
          spans: rows
            .filter((r) => r[2] === service)
            .map(([id, parent, , kind, start, end]) => ({
              traceId: 'ab'.repeat(16),
              spanId: id.padStart(16, '0'),
              ...(parent ? { parentSpanId: parent.padStart(16, '0') } : {}),
              name: `op-${id}`,
              kind,
              startTimeUnixNano: at(start),
              endTimeUnixNano: at(end),
            })),
        },
      ],
    })),
  });
}

describe('clock skew', () => {
  it('finds the foreign app’s server span that starts 3 ms before its client, with raw timestamps, on the critical path', () => {
    const report = findClockSkew(foreign);
    expect(report.tolerance_ms).toBe(SKEW_TOLERANCE_MS);
    expect(report.spans).toHaveLength(1);
    const [skewed] = report.spans;
    const span = foreign.spans.find((s) => s.spanId === skewed!.span_id)!;
    const parent = foreign.spans.find((s) => s.spanId === skewed!.parent_span_id)!;
    expect([skewed!.parent_service, skewed!.service]).toEqual(['checkout-svc', 'payment-gw']);
    expect(skewed!.starts_early_ms).toBe(3);
    expect(skewed!.ends_late_ms).toBe(0);
    expect(skewed!.start_unix_nano).toBe(span.startUnixNano);
    expect(BigInt(skewed!.parent_start_unix_nano) - BigInt(skewed!.start_unix_nano)).toBe(3_000_000n);
    expect(BigInt(skewed!.parent_end_unix_nano) - BigInt(skewed!.parent_start_unix_nano)).toBe(BigInt(parent.durationNs));
    expect(skewed!.cross_service).toBe(true);
    expect(skewed!.on_critical_path).toBe(true);
    expect(report.critical_path_note).toMatch(/^clock skew of up to 3 ms on the critical path \(checkout-svc → payment-gw\)/);
    // Given the critical path (here: none of these spans), it is taken as given, not recomputed.
    const offPath = findClockSkew(foreign, { criticalSpanIds: new Set() });
    expect(offPath.spans.map((s) => s.on_critical_path)).toEqual([false]);
    expect(offPath.critical_path_note).toBeUndefined();
  });

  it('ignores differences within the tolerance and async children that outlive their producer', () => {
    const report = findClockSkew(
      trace([
        ['1', undefined, 'a', 2, 0, 100],
        ['2', '1', 'b', 2, -0.5, 100.5], // within 1 ms
        ['3', '1', 'a', 4, 10, 20], // producer
        ['4', '3', 'c', 5, 30, 200], // its consumer ends after the whole trace: not skew
      ]),
    );
    expect(report.spans).toEqual([]);
    expect(report.critical_path_note).toBeUndefined();
  });

  it('marks a late end, and says nothing about the critical path when the skew is off it', () => {
    const report = findClockSkew(
      trace([
        ['1', undefined, 'a', 2, 0, 100],
        ['2', '1', 'a', 1, 0, 100],
        ['3', '1', 'a', 3, 10, 20], // a short call off the path
        ['4', '3', 'b', 2, 12, 25], // ends 5 ms after its client
      ]),
    );
    expect(report.spans.map((s) => [s.span_id, s.starts_early_ms, s.ends_late_ms, s.on_critical_path])).toEqual([
      ['0000000000000004', 0, 5, false],
    ]);
    expect(
      findClockSkew(
        trace([
          ['1', undefined, 'a', 2, 0, 10],
          ['2', '1', 'b', 2, 2, 15],
        ]),
        { toleranceMs: 10 },
      ).spans,
    ).toEqual([]);
    expect(report.critical_path_note).toBeUndefined();
  });

  it('marks the skewed row of the waterfall with the raw timestamps, and no other', () => {
    const { spans } = findClockSkew(foreign);
    const model = waterfallOf(analyzeTrace(foreign), spans);
    const marked = model.spans.filter((s) => s.skew);
    expect(marked.map((s) => s.id)).toEqual([spans[0]!.span_id]);
    expect(marked[0]!.skew).toBe(skewText(spans[0]!));
    expect(marked[0]!.skew).toMatch(
      /^Clock skew: starts 3 ms before its parent \(checkout-svc, another service: their clocks disagree\)\. Raw timestamps, not adjusted: this span \d+ → \d+ ns, its parent \d+ → \d+ ns\.$/,
    );
  });
});
