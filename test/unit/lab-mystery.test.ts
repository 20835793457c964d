// Mystery mode's pure parts: the seeded choice (replayable; healthy, single and paired mysteries
// in their shares; pairs compatible; every scenario and level reachable), the guess vocabulary,
// the scoring, and the state and history files.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HYPOTHESIS_KINDS } from '../../analysis/diagnosis/types';
import { LabUsageError } from '../../lab/context';
import {
  appendHistory,
  causesOf,
  chooseMystery,
  compatible,
  formatHistory,
  guessMystery,
  HEALTHY_SHARE,
  MYSTERY_SCENARIOS,
  mysteryStatus,
  PAIR_SHARE,
  parseGuess,
  readHistory,
  scoreGuess,
} from '../../lab/mystery';
import { SCENARIOS } from '../../lab/scenarios';
import { SERVICE_NAMES } from '../../services/registry';

const SEEDS = Array.from({ length: 2000 }, (_, i) => i);
const dirs: string[] = [];
const tempDir = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mystery-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

describe('the mystery choice', () => {
  it('is the same for the same seed', () => {
    for (const seed of [0, 1, 42, 2 ** 32 - 1]) expect(chooseMystery(seed)).toEqual(chooseMystery(seed));
  });

  it('is healthy, single or a pair in about the documented shares', () => {
    const sizes = SEEDS.map((seed) => chooseMystery(seed).length);
    const share = (n: number) => sizes.filter((s) => s === n).length / SEEDS.length;
    // 2,000 draws: a share's standard error is below 1 %; 3 % is more than three of them.
    expect(Math.abs(share(0) - HEALTHY_SHARE)).toBeLessThan(0.03);
    // A draw whose first scenario has no compatible partner stays single: pairs are somewhat rarer.
    expect(share(2)).toBeGreaterThan(PAIR_SHARE / 2);
    expect(share(2)).toBeLessThan(PAIR_SHARE + 0.03);
    expect(share(0) + share(1) + share(2)).toBe(1);
  });

  it('draws only scenarios with a diagnosis key, at levels they define, pairs compatible and on different services', () => {
    const seen = new Set<string>();
    for (const seed of SEEDS) {
      const picks = chooseMystery(seed);
      for (const pick of picks) {
        const scenario = MYSTERY_SCENARIOS.find((s) => s.name === pick.scenario);
        expect(scenario, pick.scenario).toBeDefined();
        expect(Object.keys(scenario!.levels)).toContain(pick.level);
        seen.add(`${pick.scenario}/${pick.level}`);
      }
      if (picks.length === 2) {
        const [a, b] = picks.map((p) => MYSTERY_SCENARIOS.find((s) => s.name === p.scenario)!);
        expect(compatible(a!, b!)).toBe(true);
        expect(a!.cause.service).not.toBe(b!.cause.service);
        expect(a!.services.filter((s) => b!.services.includes(s))).toEqual([]);
      }
    }
    const all = MYSTERY_SCENARIOS.flatMap((s) => Object.keys(s.levels).map((level) => `${s.name}/${level}`));
    expect([...seen].sort()).toEqual(all.sort());
    expect(MYSTERY_SCENARIOS.map((s) => s.name)).not.toContain('random');
    expect(MYSTERY_SCENARIOS.length).toBe(SCENARIOS.filter((s) => s.cause).length);
  });

  it('never pairs two scenarios that turn knobs of the same service', () => {
    const slowModel = MYSTERY_SCENARIOS.find((s) => s.name === 'slow-model')!;
    const retryStorm = MYSTERY_SCENARIOS.find((s) => s.name === 'retry-storm')!;
    const pool = MYSTERY_SCENARIOS.find((s) => s.name === 'pool-exhaustion')!;
    expect(compatible(slowModel, retryStorm)).toBe(false); // both set model-inference knobs
    expect(compatible(slowModel, pool)).toBe(true);
  });
});

describe('guesses', () => {
  it('take a kind and a service, a scenario name, up to two causes, or healthy', () => {
    expect(parseGuess(['latency', 'model-inference'])).toEqual({
      healthy: false,
      causes: [{ kind: 'latency', service: 'model-inference' }],
    });
    expect(parseGuess(['pool-exhaustion'])).toEqual({ healthy: false, causes: [{ kind: 'wait', service: 'gateway' }] });
    expect(parseGuess(['cpu', 'model-inference', 'n-plus-one'])).toEqual({
      healthy: false,
      causes: [
        { kind: 'cpu', service: 'model-inference' },
        { kind: 'fan-out', service: 'gateway' },
      ],
    });
    expect(parseGuess(['healthy'])).toEqual({ healthy: true });
    // Every kind and every service of the registry is in the vocabulary.
    for (const kind of HYPOTHESIS_KINDS) for (const service of SERVICE_NAMES) expect(() => parseGuess([kind, service])).not.toThrow();
  });

  it.each([
    [[], /nothing to guess/],
    [['slowness', 'gateway'], /"slowness" is not a kind, a scenario or healthy/],
    [['latency'], /"latency" needs a service after it .* got nothing/],
    [['latency', 'database'], /got "database"/],
    [['random'], /"random" is not a kind/],
    [['slow-model', 'n-plus-one', 'cpu-bound'], /at most two causes per guess, got 3/],
    [['healthy', 'slow-model'], /"healthy" is not a kind/],
  ])('refuse %j with a usage error', (words, message) => {
    expect(() => parseGuess(words)).toThrow(LabUsageError);
    expect(() => parseGuess(words)).toThrow(message);
  });
});

const g = (...words: string[]) => parseGuess(words);

describe('scoring', () => {
  const latency = { kind: 'latency', service: 'model-inference' } as const;
  const wait = { kind: 'wait', service: 'gateway' } as const;

  it('gives 1 for the exact cause, 0.5 for the right kind or the right service only, 0 otherwise', () => {
    expect(scoreGuess(g('latency', 'model-inference'), [latency]).points).toBe(1);
    expect(scoreGuess(g('slow-model'), [latency]).points).toBe(1);
    expect(scoreGuess(g('latency', 'gateway'), [latency])).toMatchObject({ points: 0.5, matches: [{ cause: latency, match: 'kind' }] });
    expect(scoreGuess(g('cpu', 'model-inference'), [latency])).toMatchObject({ points: 0.5, matches: [{ match: 'service' }] });
    expect(scoreGuess(g('retries', 'gateway'), [latency]).points).toBe(0);
  });

  it('gives healthy 1 on a healthy mystery and 0 anywhere else', () => {
    expect(scoreGuess(g('healthy'), []).points).toBe(1);
    expect(scoreGuess(g('healthy'), [latency]).points).toBe(0);
    expect(scoreGuess(g('latency', 'model-inference'), []).points).toBe(0);
  });

  it('gives half for one of two causes, the best pairing for two, and costs half for naming two where there is one', () => {
    expect(scoreGuess(g('wait', 'gateway'), [latency, wait]).points).toBe(0.5);
    expect(scoreGuess(g('wait', 'gateway', 'latency', 'model-inference'), [latency, wait]).points).toBe(1);
    expect(scoreGuess(g('wait', 'model-inference', 'latency', 'gateway'), [latency, wait]).points).toBe(0.5);
    expect(scoreGuess(g('latency', 'model-inference', 'wait', 'gateway'), [latency]).points).toBe(0.5);
  });
});

describe('the state and history files', () => {
  it('keep a guess in the history, refuse a second guess, and report no answer while the mystery is on', async () => {
    const dir = tempDir();
    const backends = { jaegerUrl: 'http://127.0.0.1:1', prometheusUrl: 'http://127.0.0.1:1', logsUrl: 'http://127.0.0.1:1' };
    expect(mysteryStatus(dir)).toEqual({ active: false });
    await expect(guessMystery(g('healthy'), { dir, backends })).rejects.toThrow(/no mystery is on/);

    const seed = SEEDS.find((s) => chooseMystery(s).length === 1)!;
    const picks = chooseMystery(seed);
    fs.writeFileSync(path.join(dir, 'mystery.json'), JSON.stringify({ seed, startedAt: '2026-12-02T10:00:00.000Z', picks }));
    const status = mysteryStatus(dir);
    expect(status).toEqual({ active: true, startedAt: '2026-12-02T10:00:00.000Z' });
    expect(JSON.stringify(status)).not.toContain(picks[0]!.scenario);

    const [cause] = causesOf(picks);
    const outcome = await guessMystery(g(cause!.kind, cause!.service), { dir, backends });
    expect(outcome.result.points).toBe(1);
    expect(outcome.answer).toMatchObject([{ scenario: picks[0]!.scenario, level: picks[0]!.level, cause }]);
    expect(outcome.diagnosis).toBeNull();
    expect(outcome.unavailable).toMatch(/^(Jaeger|Prometheus|VictoriaLogs) did not answer at http:\/\/127\.0\.0\.1:1: bad port$/);
    expect(mysteryStatus(dir).guessed?.points).toBe(1);
    await expect(guessMystery(g('healthy'), { dir, backends })).rejects.toThrow(/already guessed/);

    const history = readHistory(dir);
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({
      seed,
      guess: `${cause!.kind} on ${cause!.service}`,
      points: 1,
      answer: [{ scenario: picks[0]!.scenario }],
    });
    expect(formatHistory(history)).toMatch(/1 played, 1 of 1 points/);
  });

  it('appends entries in order and reads a missing or broken file as empty', () => {
    const dir = tempDir();
    expect(readHistory(dir)).toEqual([]);
    expect(formatHistory([])).toMatch(/none yet/);
    const entry = {
      startedAt: '2026-12-02T10:00:00.000Z',
      endedAt: '2026-12-02T10:05:00.000Z',
      seed: 1,
      answer: [],
      guess: null,
      points: 0,
    };
    appendHistory(dir, entry);
    appendHistory(dir, { ...entry, seed: 2, guess: 'healthy', points: 1 });
    expect(readHistory(dir).map((e) => e.seed)).toEqual([1, 2]);
    expect(formatHistory(readHistory(dir))).toMatch(/2 played, 1 of 2 points[\s\S]*\(revealed, no guess\) → 0 point\(s\); it was healthy/);
    fs.writeFileSync(path.join(dir, 'mystery-history.json'), '{not json');
    expect(readHistory(dir)).toEqual([]);
  });
});
