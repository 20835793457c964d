// Search across traces by attribute: the /traces page's `attributes` field (`key=value` pairs,
// space-separated, a value with spaces in double quotes) becomes Jaeger's tag filter
// (`/api/traces?tags={json}`), merged with the URL's raw `tags` JSON and the error and
// fallback-reason fields. Jaeger matches a tag on a span's attributes or its process' resource.
import { FALLBACK_REASON_ATTRIBUTE } from '../../../../analysis';

export interface TagFilter {
  /** Jaeger's `tags` parameter, or undefined for no filter. */
  tags: string | undefined;
  /** Terms that are not key=value, to say so. */
  invalid: string[];
}

/** `db.system=redis http.route="/v1/predict"` → {"db.system":"redis","http.route":"/v1/predict"}. */
export function parseAttributeFilters(text: string): { pairs: Record<string, string>; invalid: string[] } {
  const pairs: Record<string, string> = {};
  const invalid: string[] = [];
  for (const match of text.matchAll(/(?:[^\s"]+|"[^"]*"?)+/g)) {
    const token = match[0];
    const pair = /^([^="]+)=(.+)$/.exec(token.replace(/"/g, ''));
    if (pair) pairs[pair[1]!] = pair[2]!;
    else invalid.push(token);
  }
  return { pairs, invalid };
}

export function searchTags(params: URLSearchParams): TagFilter {
  let tags: Record<string, string> = {};
  try {
    const raw: unknown = JSON.parse(params.get('tags') ?? '{}');
    if (raw && typeof raw === 'object' && !Array.isArray(raw)) tags = raw as Record<string, string>;
  } catch {
    tags = {};
  }
  const { pairs, invalid } = parseAttributeFilters(params.get('attributes') ?? '');
  Object.assign(tags, pairs);
  if (params.get('error') === 'true') tags.error = 'true';
  const reason = params.get('reason');
  if (reason) tags[FALLBACK_REASON_ATTRIBUTE] = reason;
  return { tags: Object.keys(tags).length ? JSON.stringify(tags) : undefined, invalid };
}
