// The call conventions shared by the report and the diagnosis (analysis/calls.ts).
import { describe, expect, it } from 'vitest';
import { callArguments, callTarget, isTimedOut, spanIndex } from '../../../analysis';
import { idOf, traceOf } from '../analysis/fixtures';

describe('calls by the conventions', () => {
  const trace = traceOf([
    { id: 'root', service: 'api', kind: 'server', start: 0, end: 300 },
    {
      id: 'db',
      parent: 'root',
      service: 'api',
      name: 'SELECT',
      kind: 'client',
      start: 1,
      end: 5,
      attributes: { 'db.system': 'postgresql', 'db.statement': 'SELECT 1' },
    },
    {
      id: 'kv',
      parent: 'root',
      service: 'api',
      name: 'GET',
      kind: 'client',
      start: 6,
      end: 7,
      attributes: { 'db.system': 'redis', 'cache.key': 'user:1' },
    },
    {
      id: 'ext',
      parent: 'root',
      service: 'api',
      name: 'GET',
      kind: 'client',
      start: 8,
      end: 9,
      attributes: { 'server.address': 'pay.example', 'server.port': 443 },
    },
    {
      id: 'cut',
      parent: 'root',
      service: 'api',
      name: 'POST',
      kind: 'client',
      start: 10,
      end: 260,
      attributes: { 'http.request.method': 'POST' },
    },
    { id: 'srv', parent: 'cut', service: 'billing', name: 'POST /charge', kind: 'server', start: 11, end: 250 },
    {
      id: 'ok',
      parent: 'root',
      service: 'api',
      name: 'POST',
      kind: 'client',
      start: 261,
      end: 290,
      attributes: { 'http.request.method': 'POST', 'http.response.status_code': 200 },
    },
    { id: 'srv2', parent: 'ok', service: 'billing', name: 'POST /charge', kind: 'server', start: 262, end: 289 },
  ]);
  const index = spanIndex(trace);
  const span = (id: string) => index.get(idOf(id))!;

  it('names whom a call talks to and what it is', () => {
    expect(callTarget(span('db'), index)).toEqual({ name: 'postgresql', what: 'database', instrumented: false });
    expect(callTarget(span('kv'), index)).toEqual({ name: 'redis', what: 'cache', instrumented: false });
    expect(callTarget(span('ext'), index)).toEqual({ name: 'pay.example:443', what: 'remote service', instrumented: false });
    expect(callTarget(span('cut'), index)).toEqual({ name: 'billing', what: 'service', instrumented: true });
  });

  it('reads the arguments that tell repeated calls apart', () => {
    expect(callArguments(span('db'))).toBe('SELECT 1');
    expect(callArguments(span('kv'))).toBe('cache.key=user:1');
    expect(callArguments(span('ext'))).toBeUndefined();
  });

  it('takes an HTTP call that ended without an answer or an error as cancelled by its caller', () => {
    expect(isTimedOut(span('cut'), index)).toBe(true);
    expect(isTimedOut(span('ok'), index)).toBe(false);
    expect(isTimedOut(span('db'), index)).toBe(false);
  });
});
