// The analysis' warnings grouped by cause and callee, on the foreign application's trace (21
// calls into dependencies without spans, one clock skew) and on lines the console does not know.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeTrace, normalizeJaegerTrace } from '../../../analysis/index';
import { groupWarnings } from '../../../console/web/src/model/warnings';

const FIXTURE = path.join(__dirname, '../../fixtures/foreign-app-trace.json');
const report = analyzeTrace(normalizeJaegerTrace(JSON.parse(fs.readFileSync(FIXTURE, 'utf8'))));

describe('grouped warnings', () => {
  it('give one line for the calls into dependencies that are not traced, the kind of callee from conventions, unfolding to each span', () => {
    const leafClients = report.spans.filter(
      (s) => s.kind === 'client' && !report.spans.some((c) => c.parent_id === s.span_id && c.kind === 'server'),
    );
    const groups = groupWarnings(report);
    const calls = groups.find((g) => g.headline.includes('uninstrumented dependencies'))!;
    expect(calls.spanIds.sort()).toEqual(leafClients.map((s) => s.span_id).sort());
    expect(calls.lines).toHaveLength(leafClients.length);
    const caches = leafClients.filter((s) => s.attributes['db.system'] === 'redis').length;
    expect(calls.headline).toMatch(
      new RegExp(
        `^${leafClients.length} calls to uninstrumented dependencies: a cache: session-cache \\(${caches}\\), a remote service: acquiring-bank \\(1\\), a database: inventory-db \\(1\\)`,
      ),
    );
    const skew = groups.find((g) => g.headline.includes('clock skew'))!;
    expect(skew.headline).toBe('1 server span starting before their client (clock skew): checkout-svc → payment-gw (1)');
    expect(groups).toHaveLength(2);
  });

  it('keep lines it does not know as they are, identical ones counted once', () => {
    const groups = groupWarnings({ warnings: ['spans of 2 trace ids: a, b', 'spans of 2 trace ids: a, b'], dependencies: [], spans: [] });
    expect(groups.map((g) => g.headline)).toEqual(['spans of 2 trace ids: a, b (×2)']);
  });
});
