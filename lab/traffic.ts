// Bounded traffic through the gateway, the pattern most lessons need to show their effect: N
// clients sending valid, varied predictions (seeded, so a run can be replayed) back to back for
// S seconds. `npm run lab -- traffic`, mystery mode and the console's "drive traffic" button
// all call driveTraffic; the summary says where the answers came from and how long they took.

import { createRandom, type Random } from '../services/model-inference/src/rng';
import { PLANS } from '../services/shared/features';
import { LabError, LabUsageError } from './context';

export const TRAFFIC_DEFAULTS = { concurrency: 4, seconds: 10 } as const;
/** Upper bounds: the stack and the machine it shares stay usable while traffic runs. */
export const TRAFFIC_LIMITS = { concurrency: 32, seconds: 120 } as const;
/** The seed of the request bodies when none is given: the same traffic every run. */
export const TRAFFIC_SEED = 1;
/** A request that takes longer than this counts as failed ("no answer"). */
const REQUEST_TIMEOUT_MS = 10_000;

export interface TrafficOptions {
  concurrency: number;
  seconds: number;
  seed?: number;
}

function boundedInteger(name: string, value: unknown, max: number): number {
  const parsed = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof parsed !== 'number' || !Number.isInteger(parsed) || parsed < 1 || parsed > max)
    throw new LabUsageError(`${name} must be a whole number from 1 to ${max}, got ${JSON.stringify(value)}`);
  return parsed;
}

/** Checks traffic parameters from a JSON body or the command line; missing ones take the defaults. */
export function validateTraffic(input: { concurrency?: unknown; seconds?: unknown }): TrafficOptions {
  return {
    concurrency:
      input.concurrency === undefined
        ? TRAFFIC_DEFAULTS.concurrency
        : boundedInteger('concurrency', input.concurrency, TRAFFIC_LIMITS.concurrency),
    seconds: input.seconds === undefined ? TRAFFIC_DEFAULTS.seconds : boundedInteger('seconds', input.seconds, TRAFFIC_LIMITS.seconds),
  };
}

/**
 * `--name value` options of a command; any other argument is an error. Returns the values by
 * name, as given (the caller validates them).
 */
export function parseOptions(args: string[], allowed: readonly string[]): Record<string, string> {
  const values: Record<string, string> = {};
  for (let i = 0; i < args.length; i += 2) {
    const flag = args[i]!;
    const name = flag.replace(/^--/, '');
    if (!flag.startsWith('--') || !allowed.includes(name))
      throw new LabUsageError(`unexpected argument "${flag}"; options: ${allowed.map((a) => `--${a}`).join(', ')}`);
    const value = args[i + 1];
    if (value === undefined || value.startsWith('--')) throw new LabUsageError(`${flag} needs a value`);
    values[name] = value;
  }
  return values;
}

/** `traffic [--concurrency N] [--seconds S]` (the arguments after the command). */
export function parseTrafficArgs(args: string[]): TrafficOptions {
  return validateTraffic(parseOptions(args, ['concurrency', 'seconds']));
}

/** A valid POST /v1/predict body (README), varied over the features' ranges. */
export function predictionBody(random: Random): { customer_id: string; features: Record<string, number | string> } {
  const pick = (max: number) => Math.floor(random.next() * (max + 1));
  return {
    customer_id: `lab-${pick(9999)}`,
    features: {
      tenure_months: pick(120),
      monthly_spend: Math.round(random.next() * 50_000) / 100,
      support_tickets: pick(12),
      plan: PLANS[pick(PLANS.length - 1)]!,
    },
  };
}

/** One request's outcome. */
export interface TrafficSample {
  ms: number;
  /** HTTP status, or 0 when no answer came. */
  status: number;
  source?: string;
  fallbackReason?: string;
  traceId?: string;
}

export interface TrafficSummary {
  concurrency: number;
  seconds: number;
  requests: number;
  /** Answers by where they came from: `model`, or `fallback (<reason>)`. */
  answers: Record<string, number>;
  /** Requests without an answer, by HTTP status (`no answer` when none came). */
  failures: Record<string, number>;
  latencyMs: { p50: number; p95: number; p99: number } | null;
  slowest: { ms: number; traceId?: string } | null;
}

/** Nearest-rank percentile of sorted values. */
const percentile = (sorted: number[], p: number) => sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]!;

export function summarizeTraffic(samples: TrafficSample[], options: TrafficOptions): TrafficSummary {
  const answers: Record<string, number> = {};
  const failures: Record<string, number> = {};
  for (const s of samples) {
    if (s.status === 200) {
      const key = s.source === 'fallback' ? `fallback (${s.fallbackReason ?? 'no reason given'})` : (s.source ?? 'unknown source');
      answers[key] = (answers[key] ?? 0) + 1;
    } else {
      const key = s.status === 0 ? 'no answer' : `HTTP ${s.status}`;
      failures[key] = (failures[key] ?? 0) + 1;
    }
  }
  const sorted = samples.map((s) => s.ms).sort((a, b) => a - b);
  const slowest = samples.reduce<TrafficSample | undefined>((max, s) => (!max || s.ms > max.ms ? s : max), undefined);
  return {
    concurrency: options.concurrency,
    seconds: options.seconds,
    requests: samples.length,
    answers,
    failures,
    latencyMs: sorted.length ? { p50: percentile(sorted, 0.5), p95: percentile(sorted, 0.95), p99: percentile(sorted, 0.99) } : null,
    slowest: slowest ? { ms: slowest.ms, ...(slowest.traceId ? { traceId: slowest.traceId } : {}) } : null,
  };
}

/** The trace id of a W3C `traceresponse` header (version-traceid-spanid-flags). */
export const traceIdOf = (traceresponse: string | null) =>
  /^[\da-f]{2}-([\da-f]{32})-[\da-f]{16}-[\da-f]{2}$/.exec(traceresponse ?? '')?.[1];

async function sendOne(gatewayUrl: string, body: unknown): Promise<TrafficSample> {
  const started = performance.now();
  try {
    const response = await fetch(`${gatewayUrl}/v1/predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const answer = (await response.json().catch(() => ({}))) as { source?: string; fallback_reason?: string; trace_id?: string };
    const ms = performance.now() - started;
    const traceId = traceIdOf(response.headers.get('traceresponse')) ?? answer.trace_id;
    return {
      ms,
      status: response.status,
      ...(answer.source ? { source: answer.source } : {}),
      ...(answer.fallback_reason ? { fallbackReason: answer.fallback_reason } : {}),
      ...(traceId ? { traceId } : {}),
    };
  } catch {
    return { ms: performance.now() - started, status: 0 };
  }
}

export interface TrafficProgress {
  elapsedMs: number;
  requests: number;
}

/**
 * `concurrency` clients each send predictions back to back until `seconds` have passed (a
 * request under way then finishes). Calls onProgress about once a second.
 */
export async function driveTraffic(
  gatewayUrl: string,
  options: TrafficOptions,
  onProgress?: (progress: TrafficProgress) => void,
): Promise<TrafficSummary> {
  const random = createRandom(options.seed ?? TRAFFIC_SEED);
  const samples: TrafficSample[] = [];
  const start = Date.now();
  const end = start + options.seconds * 1000;
  const ticker = onProgress ? setInterval(() => onProgress({ elapsedMs: Date.now() - start, requests: samples.length }), 1000) : undefined;
  try {
    await Promise.all(
      Array.from({ length: options.concurrency }, async () => {
        while (Date.now() < end) samples.push(await sendOne(gatewayUrl, predictionBody(random)));
      }),
    );
  } finally {
    clearInterval(ticker);
  }
  const summary = summarizeTraffic(samples, options);
  if (summary.requests > 0 && summary.requests === (summary.failures['no answer'] ?? 0))
    throw new LabError(
      `the gateway at ${gatewayUrl} did not answer any of ${summary.requests} requests: is the stack running (npm start)?`,
    );
  return summary;
}

const ms = (value: number) => `${value < 10 ? value.toFixed(1) : Math.round(value)} ms`;
const counts = (record: Record<string, number>) =>
  Object.entries(record)
    .sort((a, b) => b[1] - a[1])
    .map(([key, n]) => `${key} ${n}`)
    .join(', ');

export function formatTrafficSummary(s: TrafficSummary): string {
  const lines = [`${s.requests} requests from ${s.concurrency} clients in ${s.seconds} s`];
  lines.push(`answers: ${Object.keys(s.answers).length ? counts(s.answers) : 'none'}`);
  if (Object.keys(s.failures).length) lines.push(`failed: ${counts(s.failures)}`);
  if (s.latencyMs) lines.push(`latency: p50 ${ms(s.latencyMs.p50)}, p95 ${ms(s.latencyMs.p95)}, p99 ${ms(s.latencyMs.p99)}`);
  if (s.slowest)
    lines.push(
      `slowest: ${ms(s.slowest.ms)}${s.slowest.traceId ? `, trace ${s.slowest.traceId} (npm run why -- ${s.slowest.traceId})` : ' (no trace id)'}`,
    );
  return lines.join('\n');
}
