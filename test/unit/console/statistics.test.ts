// The statistics table grouped three ways, on the foreign application's trace: by service and by
// operation it must agree with the analysis library's own self-time tables; by an attribute it
// groups spans by value, those without it together.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeTrace, normalizeJaegerTrace, operationLabel } from '../../../analysis/index';
import { GROUP_BY_OPERATION, GROUP_BY_SERVICE, groupStatistics, NO_VALUE } from '../../../console/web/src/model/statistics';
import { reportOf } from '../analysis/fixtures';

const FIXTURE = path.join(__dirname, '../../fixtures/foreign-app-trace.json');
const report = analyzeTrace(normalizeJaegerTrace(JSON.parse(fs.readFileSync(FIXTURE, 'utf8'))));

describe('trace statistics', () => {
  it('by service and by operation equal the analysis library’s tables', () => {
    for (const [groupBy, library] of [
      [GROUP_BY_SERVICE, report.service_time],
      [GROUP_BY_OPERATION, report.self_time],
    ] as const) {
      const rows = groupStatistics(report.spans, groupBy, report.critical_path_ms);
      expect(rows).toHaveLength(library.length);
      for (const expected of library) {
        const label =
          expected.operation === undefined
            ? expected.service
            : `${expected.service} · ${operationLabel(expected.operation, expected.kind)}`;
        const row = rows.find((r) => r.label === label)!;
        expect(row, label).toBeDefined();
        expect(row.service).toBe(expected.service);
        expect(row.count).toBe(expected.count);
        expect(row.total_ms).toBeCloseTo(expected.total_ms, 2);
        expect(row.self_ms).toBeCloseTo(expected.self_ms, 2);
        expect(row.critical_ms).toBeCloseTo(expected.critical_ms, 2);
        expect(row.share).toBeCloseTo(expected.share, 3);
      }
    }
  });

  it('by operation, a client span named after the server span it calls is a row of its own', () => {
    const named = reportOf([
      { id: 'root', service: 'gateway', name: 'POST /v1/predict', kind: 'server', start: 0, end: 100 },
      { id: 'call', parent: 'root', service: 'gateway', name: 'POST /v1/predict', kind: 'client', start: 10, end: 90 },
      { id: 'serve', parent: 'call', service: 'model', name: 'POST /v1/predict', kind: 'server', start: 12, end: 88 },
    ]);
    const rows = groupStatistics(named.spans, GROUP_BY_OPERATION, named.critical_path_ms);
    expect(Object.fromEntries(rows.map((r) => [r.label, r.self_ms]))).toEqual({
      'gateway · POST /v1/predict': 20,
      'gateway · POST /v1/predict (client)': 4,
      'model · POST /v1/predict': 76,
    });
  });

  it('by an attribute key: one row per value (resource attributes too), spans without it together', () => {
    const rows = groupStatistics(report.spans, 'db.system', report.critical_path_ms);
    const count = (value: string) => report.spans.filter((s) => s.attributes['db.system'] === value).length;
    expect(Object.fromEntries(rows.map((r) => [r.label, r.count]))).toEqual({
      redis: count('redis'),
      postgresql: count('postgresql'),
      [NO_VALUE]: report.spans.length - count('redis') - count('postgresql'),
    });
    expect(rows.reduce((sum, r) => sum + r.share, 0)).toBeCloseTo(1, 3);
    const languages = groupStatistics(report.spans, 'telemetry.sdk.language', report.critical_path_ms);
    expect(languages.map((r) => r.label).sort()).toEqual(['dotnet', 'go', 'java', 'nodejs', 'python', 'rust']);
    expect(languages.find((r) => r.label === 'go')?.service).toBe('cart-svc');
  });
});
