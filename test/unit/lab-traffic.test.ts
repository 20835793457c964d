// `npm run lab -- traffic`'s pure parts: its arguments (bounded, one clear error each), the
// request bodies (valid for the gateway's own schema, varied, replayable), and the summary.
import { describe, expect, it } from 'vitest';
import { LabUsageError } from '../../lab/context';
import { parseTrafficArgs, predictionBody, summarizeTraffic, type TrafficSample, traceIdOf, validateTraffic } from '../../lab/traffic';
import { createRandom } from '../../services/model-inference/src/rng';
import { featuresSchema } from '../../services/shared/features';

describe('lab traffic arguments', () => {
  it('default to 4 clients for 10 s and take both options in any order', () => {
    expect(parseTrafficArgs([])).toEqual({ concurrency: 4, seconds: 10 });
    expect(parseTrafficArgs(['--seconds', '120', '--concurrency', '32'])).toEqual({ concurrency: 32, seconds: 120 });
    expect(parseTrafficArgs(['--concurrency', '1'])).toEqual({ concurrency: 1, seconds: 10 });
  });

  it.each([
    [['--concurrency', '33'], /concurrency must be a whole number from 1 to 32, got "33"/],
    [['--concurrency', '0'], /concurrency must be .* got "0"/],
    [['--concurrency', '2.5'], /concurrency must be .* got "2.5"/],
    [['--seconds', '121'], /seconds must be a whole number from 1 to 120, got "121"/],
    [['--seconds', 'ten'], /seconds must be .* got "ten"/],
    [['--seconds'], /--seconds needs a value/],
    [['--seconds', '--concurrency', '2'], /--seconds needs a value/],
    [['--rate', '5'], /unexpected argument "--rate"; options: --concurrency, --seconds/],
    [['5'], /unexpected argument "5"/],
  ])('refuses %j with a usage error', (args, message) => {
    expect(() => parseTrafficArgs(args)).toThrow(LabUsageError);
    expect(() => parseTrafficArgs(args)).toThrow(message);
  });

  it('checks a JSON body the same way (the console endpoint)', () => {
    expect(validateTraffic({ concurrency: 8, seconds: 5 })).toEqual({ concurrency: 8, seconds: 5 });
    expect(() => validateTraffic({ concurrency: '8; rm', seconds: 5 })).toThrow(/concurrency must be/);
    expect(() => validateTraffic({ seconds: 1e9 })).toThrow(/seconds must be/);
    expect(() => validateTraffic({ seconds: null })).toThrow(/seconds must be/);
  });
});

describe('lab traffic requests and summary', () => {
  it('sends bodies the gateway accepts, varied, the same for the same seed', () => {
    const a = createRandom(5);
    const bodies = Array.from({ length: 200 }, () => predictionBody(a));
    for (const body of bodies) expect(featuresSchema.safeParse(body.features).success, JSON.stringify(body)).toBe(true);
    expect(new Set(bodies.map((b) => b.features.plan)).size).toBe(3);
    expect(new Set(bodies.map((b) => b.features.tenure_months)).size).toBeGreaterThan(50);
    const b = createRandom(5);
    expect(Array.from({ length: 200 }, () => predictionBody(b))).toEqual(bodies);
  });

  it('reads the trace id of a W3C traceresponse header', () => {
    expect(traceIdOf('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01')).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(traceIdOf('garbage')).toBeUndefined();
    expect(traceIdOf(null)).toBeUndefined();
  });

  it('counts answers by source and reason, failures by status, nearest-rank percentiles and the slowest trace', () => {
    const samples: TrafficSample[] = Array.from({ length: 100 }, (_, i) => ({
      ms: i + 1,
      status: 200,
      source: 'model',
      traceId: `t${i + 1}`,
    }));
    samples[10] = { ms: 11, status: 200, source: 'fallback', fallbackReason: 'timeout', traceId: 't11' };
    samples[20] = { ms: 21, status: 503, traceId: 't21' };
    samples[30] = { ms: 31, status: 0 };
    const summary = summarizeTraffic(samples, { concurrency: 4, seconds: 10 });
    expect(summary.requests).toBe(100);
    expect(summary.answers).toEqual({ model: 97, 'fallback (timeout)': 1 });
    expect(summary.failures).toEqual({ 'HTTP 503': 1, 'no answer': 1 });
    expect(summary.latencyMs).toEqual({ p50: 50, p95: 95, p99: 99 });
    expect(summary.slowest).toEqual({ ms: 100, traceId: 't100' });
    expect(summarizeTraffic([], { concurrency: 1, seconds: 1 })).toMatchObject({ requests: 0, latencyMs: null, slowest: null });
  });
});
