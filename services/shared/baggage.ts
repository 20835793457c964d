// Baggage made observable. The entries whose keys start with an allow-listed prefix are recorded
// by every service on its server and client spans (attribute `baggage.<key>`) and on its log lines
// (field `baggage.<key>`), so an entry can be watched crossing the hops, and vanishing where a hop
// drops the context. Only allow-listed keys, at most a few, each value cut short: baggage comes
// from the caller, and must not become a way to write anything (a secret, a customer's data) into
// the telemetry.
import { type Context, propagation } from '@opentelemetry/api';

/** The environment variable that lists the recorded prefixes, comma-separated ('' records none). */
export const RECORDED_BAGGAGE_ENV = 'TRACELAB_RECORDED_BAGGAGE';
export const DEFAULT_RECORDED_BAGGAGE = 'tracelab.';

const MAX_ENTRIES = 8;
const MAX_KEY_LENGTH = 64;
const MAX_VALUE_LENGTH = 128;

export function recordedBaggagePrefixes(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env[RECORDED_BAGGAGE_ENV] ?? DEFAULT_RECORDED_BAGGAGE)
    .split(',')
    .map((prefix) => prefix.trim())
    .filter(Boolean);
}

/** The allow-listed baggage entries of a context, as `baggage.<key>` → value (bounded). */
export function baggageFields(ctx: Context, prefixes: readonly string[]): Record<string, string> {
  const fields: Record<string, string> = {};
  if (prefixes.length === 0) return fields;
  const baggage = propagation.getBaggage(ctx);
  if (!baggage) return fields;
  let count = 0;
  for (const [key, entry] of baggage.getAllEntries()) {
    if (key.length > MAX_KEY_LENGTH || !prefixes.some((prefix) => key.startsWith(prefix))) continue;
    fields[`baggage.${key}`] = entry.value.slice(0, MAX_VALUE_LENGTH);
    if (++count === MAX_ENTRIES) break;
  }
  return fields;
}
