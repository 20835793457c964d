// Recorded cases: what the diagnosis read in each trial (traces, series, log lines), gzipped in
// the repository so `bench:diagnose --offline` and the unit tests score the diagnosis on real
// data in seconds. Baseline traces are shared by every trial of a run, so they are stored once.
import fs from 'node:fs';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { DiagnosisInput } from '../../../analysis/diagnosis/types';
import type { Trace } from '../../../analysis/model';
import type { TrialPlan } from './trials';

export interface CaseIndex {
  recordedAt: string;
  /** The options the run was recorded with (window length, traffic, trace budget). */
  options: Record<string, unknown>;
  trials: { id: string; file: string; elapsedMs: number }[];
}

interface StoredCase {
  plan: TrialPlan;
  input: Omit<DiagnosisInput, 'traces'> & { traces: { window: Trace[]; baseline: string[] } };
}

const INDEX = 'index.json';
const POOL = 'baseline-traces.json.gz';

const readGz = <T>(file: string): T => JSON.parse(gunzipSync(fs.readFileSync(file)).toString('utf8')) as T;
const writeGz = (file: string, value: unknown) => fs.writeFileSync(file, gzipSync(JSON.stringify(value), { level: 9 }));

/** Writes cases into a folder as they come; `finish` writes the index and the shared traces. */
export function caseWriter(dir: string, options: Record<string, unknown>) {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const pool = new Map<string, Trace>();
  const index: CaseIndex = { recordedAt: new Date().toISOString(), options, trials: [] };
  return {
    add(plan: TrialPlan, input: DiagnosisInput, elapsedMs: number) {
      for (const trace of input.traces.baseline) pool.set(trace.traceId, trace);
      const stored: StoredCase = {
        plan,
        input: { ...input, traces: { window: input.traces.window, baseline: input.traces.baseline.map((t) => t.traceId) } },
      };
      const file = `${plan.id}.json.gz`;
      writeGz(path.join(dir, file), stored);
      index.trials.push({ id: plan.id, file, elapsedMs: Math.round(elapsedMs) });
    },
    finish() {
      writeGz(path.join(dir, POOL), [...pool.values()]);
      fs.writeFileSync(path.join(dir, INDEX), `${JSON.stringify(index, null, 2)}\n`);
    },
  };
}

export interface RecordedCase {
  plan: TrialPlan;
  input: DiagnosisInput;
  elapsedMs: number;
}

/** Every recorded case of a folder, with its inputs whole again. */
export function readCases(dir: string): RecordedCase[] {
  const index = JSON.parse(fs.readFileSync(path.join(dir, INDEX), 'utf8')) as CaseIndex;
  const pool = new Map(readGz<Trace[]>(path.join(dir, POOL)).map((t) => [t.traceId, t]));
  return index.trials.map(({ file, elapsedMs }) => {
    const stored = readGz<StoredCase>(path.join(dir, file));
    const baseline = stored.input.traces.baseline.map((id) => {
      const trace = pool.get(id);
      if (!trace) throw new Error(`${file}: baseline trace ${id} is not in ${POOL}`);
      return trace;
    });
    return { plan: stored.plan, input: { ...stored.input, traces: { window: stored.input.traces.window, baseline } }, elapsedMs };
  });
}

/** Bytes the recorded cases take on disk. */
export function casesSize(dir: string): number {
  return fs.readdirSync(dir).reduce((sum, file) => sum + fs.statSync(path.join(dir, file)).size, 0);
}
