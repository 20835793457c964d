import { describe, expect, it } from 'vitest';
import { parseRoute } from '../../../console/web/src/router';

describe('console routes', () => {
  it('parse every page from its URL', () => {
    expect(parseRoute('/', '').page).toBe('traces');
    expect(parseRoute('/traces', '?service=gateway')).toMatchObject({ page: 'traces' });
    expect(parseRoute('/trace/abc123', '')).toMatchObject({ page: 'trace', traceId: 'abc123' });
    expect(parseRoute('/trace/aa/vs/bb/', '')).toEqual({ page: 'compare', a: 'aa', b: 'bb' });
    expect(parseRoute('/services', '')).toEqual({ page: 'services' });
    expect(parseRoute('/signals', '?service=gateway')).toMatchObject({ page: 'signals' });
    expect(parseRoute('/lab', '')).toEqual({ page: 'lab' });
    expect(parseRoute('/diagnose/', '?service=gateway')).toMatchObject({ page: 'diagnose' });
    expect(parseRoute('/docs/runbooks', '', '#targetdown')).toEqual({ page: 'doc', name: 'runbooks', anchor: 'targetdown' });
    expect(parseRoute('/nope', '')).toEqual({ page: 'not-found', path: '/nope' });
  });
});
