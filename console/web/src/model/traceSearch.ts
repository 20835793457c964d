// Search inside one trace. A query is terms separated by spaces (quote a term to keep its
// spaces); a span matches when it matches every term:
//   service:<name>  operation:<name>  status:<error|ok|unset>  kind:<server|client|…>
//   key=value        an attribute, resource attribute or event attribute with that value
//   key=*            … with that key, whatever its value
//   anything else    free text: part of the service, operation, span id, status message, an
//                    attribute's key or value, an event's name or attributes (case-insensitive)
// Pure: the trace page, the unit tests and the 50,000-span timing use the same code.
import type { Attributes, AttributeValue, ReportSpan } from '../../../../analysis';

export type SearchTerm =
  | { field: 'service' | 'operation' | 'status' | 'kind'; value: string }
  | { field: 'attribute'; key: string; value: string | undefined }
  | { field: 'text'; value: string };

const FIELDS: Record<string, 'service' | 'operation' | 'status' | 'kind'> = {
  service: 'service',
  svc: 'service',
  operation: 'operation',
  op: 'operation',
  name: 'operation',
  status: 'status',
  kind: 'kind',
};

/** Splits a query into terms; double quotes keep spaces inside one term (`db.statement="SELECT 1"`). */
function tokens(query: string): string[] {
  const out: string[] = [];
  for (const match of query.matchAll(/(?:[^\s"]+|"[^"]*"?)+/g)) out.push(match[0].replace(/"/g, ''));
  return out.filter((t) => t !== '');
}

export function parseSearch(query: string): SearchTerm[] {
  return tokens(query).map((token): SearchTerm => {
    const field = /^([a-z]+):(.+)$/i.exec(token);
    if (field && FIELDS[field[1]!.toLowerCase()]) return { field: FIELDS[field[1]!.toLowerCase()]!, value: field[2]!.toLowerCase() };
    const pair = /^([^=]+)=(.*)$/.exec(token);
    if (pair) return { field: 'attribute', key: pair[1]!, value: pair[2] === '*' ? undefined : pair[2]!.toLowerCase() };
    return { field: 'text', value: token.toLowerCase() };
  });
}

const text = (value: AttributeValue): string => (typeof value === 'string' ? value : JSON.stringify(value));

function hasAttribute(attributes: Attributes, key: string, value: string | undefined): boolean {
  if (!(key in attributes)) return false;
  return value === undefined || text(attributes[key]!).toLowerCase() === value;
}

/** Everything free text looks in, lower-cased once per span. */
function haystackOf(span: ReportSpan): string {
  let out = `${span.service}\u0000${span.operation}\u0000${span.span_id}\u0000${span.status_message ?? ''}`;
  for (const key in span.attributes) out += `\u0000${key}\u0000${text(span.attributes[key]!)}`;
  for (const event of span.events) {
    out += `\u0000${event.name}`;
    for (const key in event.attributes) out += `\u0000${key}\u0000${text(event.attributes[key]!)}`;
  }
  return out.toLowerCase();
}

type Test = (i: number) => boolean;

export class TraceSearch {
  /** The free-text index, built in slices while the page is idle (or at once by the first free-text search). */
  private readonly haystacks: string[] = [];

  constructor(private readonly spans: ReportSpan[]) {}

  /** Builds the free-text index for up to `budgetMs`; true when it is complete. */
  prepare(budgetMs = Number.POSITIVE_INFINITY): boolean {
    const until = performance.now() + budgetMs;
    const { spans, haystacks } = this;
    while (haystacks.length < spans.length) {
      haystacks.push(haystackOf(spans[haystacks.length]!));
      if ((haystacks.length & 255) === 0 && performance.now() > until) break;
    }
    return haystacks.length === spans.length;
  }

  /** Indexes (in the spans' order) of the spans matching every term; all spans for no term. */
  find(terms: SearchTerm[]): number[] {
    // Cheap tests first; free text last, on the spans the others let through.
    const tests = [...terms].sort((a, b) => Number(a.field === 'text') - Number(b.field === 'text')).map((term) => this.test(term));
    const found: number[] = [];
    for (let i = 0; i < this.spans.length; i++) {
      let ok = true;
      for (const test of tests) {
        if (!test(i)) {
          ok = false;
          break;
        }
      }
      if (ok) found.push(i);
    }
    return found;
  }

  private test(term: SearchTerm): Test {
    const spans = this.spans;
    switch (term.field) {
      case 'service':
        return (i) => spans[i]!.service.toLowerCase() === term.value;
      case 'operation':
        return (i) => spans[i]!.operation.toLowerCase().includes(term.value);
      case 'status':
        return (i) => spans[i]!.status === term.value;
      case 'kind':
        return (i) => spans[i]!.kind === term.value;
      case 'attribute': {
        // Spans of one process share their resource object: test each resource once.
        const resources = new Map<Attributes, boolean>();
        const inResource = (resource: Attributes) => {
          let hit = resources.get(resource);
          if (hit === undefined) {
            hit = hasAttribute(resource, term.key, term.value);
            resources.set(resource, hit);
          }
          return hit;
        };
        return (i) => {
          const span = spans[i]!;
          return (
            hasAttribute(span.attributes, term.key, term.value) ||
            inResource(span.resource) ||
            (span.events.length > 0 && span.events.some((e) => hasAttribute(e.attributes, term.key, term.value)))
          );
        };
      }
      case 'text': {
        this.prepare();
        const haystacks = this.haystacks;
        return (i) => haystacks[i]!.includes(term.value);
      }
    }
  }
}

/** The keys a query can use in this trace, most common first: attribute, resource and event attribute keys. */
export function searchKeys(spans: ReportSpan[]): string[] {
  const counts = new Map<string, number>();
  const count = (attributes: Attributes) => {
    for (const key of Object.keys(attributes)) counts.set(key, (counts.get(key) ?? 0) + 1);
  };
  for (const span of spans) {
    count(span.attributes);
    count(span.resource);
    for (const event of span.events) count(event.attributes);
  }
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([key]) => key);
}

/** Completions for the term being typed (the query's last one): field prefixes and `key=` from the trace. */
export function suggestions(query: string, keys: string[], limit = 12): string[] {
  const at = query.search(/\S+$/);
  const head = at < 0 ? query : query.slice(0, at);
  const typed = at < 0 ? '' : query.slice(at);
  if (typed.includes('=') || /^[a-z]+:/i.test(typed)) return [];
  const needle = typed.toLowerCase();
  const candidates = ['service:', 'operation:', 'status:error', 'kind:', ...keys.map((k) => `${k}=`)];
  return candidates
    .filter((c) => c.toLowerCase().includes(needle))
    .slice(0, limit)
    .map((c) => head + c);
}
