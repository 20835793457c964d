// The analysis' warnings grouped by cause and callee, on the foreign application's trace (21
// calls into dependencies without spans, one clock skew) and on lines the console does not know.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeTrace, normalizeJaegerTrace } from '../../../analysis/index';
import { calleeKind, groupWarnings } from '../../../console/web/src/model/warnings';

const FIXTURE = path.join(__dirname, '../../fixtures/foreign-app-trace.json');
const report = analyzeTrace(normalizeJaegerTrace(JSON.parse(fs.readFileSync(FIXTURE, 'utf8'))));
const attributesOf = (id: string) => report.spans.find((s) => s.span_id === id)?.attributes;

describe('grouped warnings', () => {
  it('name the kind of callee from semantic conventions', () => {
    expect(calleeKind({ 'db.system': 'redis' })).toBe('a cache');
    expect(calleeKind({ 'db.system.name': 'postgresql' })).toBe('a database');
    expect(calleeKind({ 'messaging.system': 'kafka' })).toBe('a message broker');
    expect(calleeKind({ 'rpc.system': 'grpc' })).toBe('an RPC service');
    expect(calleeKind({ 'http.request.method': 'POST' })).toBe('an HTTP service');
    expect(calleeKind({})).toBe('a dependency');
  });

  it('turn one line per uninstrumented call into one line per cause, counted by callee', () => {
    const leafClients = report.spans.filter(
      (s) => s.kind === 'client' && !report.spans.some((c) => c.parent_id === s.span_id && c.kind === 'server'),
    );
    const groups = groupWarnings(report.warnings, attributesOf);
    const calls = groups.find((g) => g.headline.includes('not traced'))!;
    expect(calls.lines).toHaveLength(leafClients.length);
    expect(calls.spanIds.sort()).toEqual(leafClients.map((s) => s.span_id).sort());
    const caches = leafClients.filter((s) => s.attributes['db.system'] === 'redis').length;
    expect(calls.headline).toBe(
      `${leafClients.length} calls to dependencies that are not traced (no server span under the client span): a cache: session-cache (${caches}), a database: inventory-db (1), a database: orders-db.internal (1), a dependency: smtp-relay (1), an HTTP service: acquiring-bank (1)`,
    );
    const skew = groups.find((g) => g.headline.includes('clock skew'))!;
    expect(skew.headline).toBe('1 server span starting before their client (clock skew): checkout-svc → payment-gw (1)');
    expect(groups).toHaveLength(2);
  });

  it('keep lines it does not know (or that the analysis already grouped) as they are, identical ones counted once', () => {
    const grouped = '14 calls to uninstrumented dependencies: a cache (13), a database (1)';
    const groups = groupWarnings([grouped, 'spans of 2 trace ids: a, b', 'spans of 2 trace ids: a, b'], () => undefined);
    expect(groups.map((g) => g.headline)).toEqual([grouped, 'spans of 2 trace ids: a, b (×2)']);
  });
});
