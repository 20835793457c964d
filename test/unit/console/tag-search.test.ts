// The /traces page's attribute filter becomes Jaeger's tags JSON.
import { describe, expect, it } from 'vitest';
import { parseAttributeFilters, searchTags } from '../../../console/web/src/model/tagSearch';

describe('search across traces by attribute', () => {
  it('reads key=value pairs, quoted values with spaces, and names what is not a pair', () => {
    expect(parseAttributeFilters('db.system=redis  http.route="/v1/predict x" oops =x')).toEqual({
      pairs: { 'db.system': 'redis', 'http.route': '/v1/predict x' },
      invalid: ['oops', '=x'],
    });
    expect(parseAttributeFilters('')).toEqual({ pairs: {}, invalid: [] });
  });

  it('merges the attributes with the raw tags, errors only and the fallback reason into one tags JSON', () => {
    const params = new URLSearchParams({
      attributes: 'peer.service=session-cache',
      tags: '{"http.route":"/v1/predict"}',
      error: 'true',
      reason: 'timeout',
    });
    expect(JSON.parse(searchTags(params).tags!)).toEqual({
      'http.route': '/v1/predict',
      'peer.service': 'session-cache',
      error: 'true',
      'tracelab.fallback.reason': 'timeout',
    });
    expect(searchTags(new URLSearchParams()).tags).toBeUndefined();
    expect(searchTags(new URLSearchParams({ tags: '[not json' })).tags).toBeUndefined();
  });
});
