// `npm run bench:diagnose`: how often the diagnosis names the right cause. For every scenario of
// the fault lab at each of its levels (several seeds), healthy controls and pairs of faults, it
// turns the fault on, drives bounded traffic, diagnoses the window against a healthy baseline
// WITHOUT the lab's state (the diagnosis reads only the backends), and scores AC@1 and AC@3 on
// (kind, service) against the key in lab/scenarios.ts (docs/diagnosis.md). `--record` keeps what
// each diagnosis read as a compressed case; `--offline` scores the recorded cases in seconds.
import fs from 'node:fs';
import path from 'node:path';
import { diagnose } from '../../../analysis/diagnosis';
import { loadDiagnosisInput } from '../../../analysis/diagnosis/load';
import type { Diagnosis, TimeRange } from '../../../analysis/diagnosis/types';
import { findScenario, type LabContext, resetLab, SCENARIOS, scenarioOn } from '../../../lab';
import { repoRoot, stateDir } from '../../../local/paths';
import { startStack } from '../../runner/supervisor';
import { acceptedOf, acceptedPath } from './accepted';
import { casesSize, caseWriter, readCases } from './cases';
import { goals, renderTable, scoreTrial, type TrialScore, totals } from './score';
import { startTraffic } from './traffic';
import { planTrials, type TrialPlan } from './trials';

export interface DiagnoseBenchOptions {
  offline: boolean;
  accept: boolean;
  record: boolean;
  /** Folder of the recorded cases. */
  cases: string;
  trials: number;
  controls: number;
  only: string[];
  windowS: number;
  baselineS: number;
  concurrency: number;
  /** Where the results go (JSON). */
  json: string;
}

type Options = DiagnoseBenchOptions;

/** Scenarios whose effect outlives the knob reset (a leaked heap). */
const LINGERING = new Set(['memory-leak']);

const log = (line: string) => console.log(`[bench:diagnose] ${line}`);
const until = (epochMs: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, epochMs - Date.now())));
const severeLevel = (scenario: string, level: string) => SCENARIOS.find((s) => s.name === scenario)?.defaultLevel === level;

function progressLine(done: number, of: number, score: TrialScore): string {
  const ranks = score.expected.length
    ? score.expected.map((c, i) => `${c.kind} ${c.service} at ${score.ranks[i] ?? '–'}`).join(', ')
    : `healthy expected, ${score.reported.length} reported`;
  const time = Number.isFinite(score.elapsedMs) ? ` in ${(score.elapsedMs / 1000).toFixed(1)} s` : '';
  return `(${done}/${of}) ${score.id}: ${ranks}${time}; first: ${score.reported[0] ?? 'none'}`;
}

function report(scores: TrialScore[], opts: Options, extra: Record<string, unknown>): void {
  const t = totals(scores, severeLevel);
  console.log(`\n${renderTable(scores, t)}\n`);
  for (const goal of goals(t)) console.log(`${goal.met ? 'met    ' : 'NOT met'}  ${goal.goal}`);
  fs.mkdirSync(path.dirname(opts.json), { recursive: true });
  fs.writeFileSync(opts.json, `${JSON.stringify({ ...extra, totals: t, goals: goals(t), trials: scores }, null, 2)}\n`);
  console.log(`\nresults: ${path.relative(process.cwd(), opts.json)}`);
}

function accept(scores: TrialScore[], opts: Options): void {
  fs.writeFileSync(acceptedPath(opts.cases), `${JSON.stringify(acceptedOf(scores), null, 2)}\n`);
  log(`accepted these scores: ${path.relative(process.cwd(), acceptedPath(opts.cases))}`);
}

export function offline(opts: Options): void {
  if (!fs.existsSync(path.join(opts.cases, 'index.json'))) throw new Error(`no recorded cases in ${opts.cases}: record them with --record`);
  const cases = readCases(opts.cases).filter((c) => !opts.only.length || c.plan.faults.some((f) => opts.only.includes(f.scenario)));
  const started = performance.now();
  const scores = cases.map((c, i) => {
    const score = scoreTrial(c.plan, diagnose(c.input), c.elapsedMs);
    log(progressLine(i + 1, cases.length, score));
    return score;
  });
  const engineMs = performance.now() - started;
  log(
    `${cases.length} recorded cases diagnosed in ${(engineMs / 1000).toFixed(2)} s (${(engineMs / Math.max(1, cases.length)).toFixed(0)} ms each); times below are the recorded ones, loading included`,
  );
  report(scores, opts, { mode: 'offline', cases: path.relative(repoRoot, opts.cases), engineMs });
  if (opts.accept) accept(scores, opts);
}

export async function online(opts: Options): Promise<void> {
  const plan = planTrials({ trials: opts.trials, controls: opts.controls, only: opts.only });
  const perTrialS = opts.windowS + 5;
  log(
    `${plan.length} trials of ${opts.windowS} s each after a ${opts.baselineS} s baseline: about ${Math.ceil((opts.baselineS + plan.length * perTrialS) / 60)} min`,
  );
  const stack = await startStack({ stateDir: path.join(stateDir, 'bench-diagnose'), fresh: true, log: (line) => log(line) });
  const ctx: LabContext = {
    controlToken: stack.controlToken,
    urls: {
      gateway: stack.urls.gateway,
      'model-inference': stack.urls.modelInference,
      'fallback-rules': stack.urls.fallbackRules,
      prometheus: stack.urls.prometheus,
    },
  };
  const backends = { jaegerUrl: stack.urls.jaeger, prometheusUrl: stack.urls.prometheus, logsUrl: stack.urls.victorialogs };
  const writer = opts.record
    ? caseWriter(opts.cases, { windowS: opts.windowS, baselineS: opts.baselineS, concurrency: opts.concurrency })
    : undefined;
  const traffic = startTraffic({ gatewayUrl: stack.urls.gateway, concurrency: opts.concurrency, seed: 1 });
  const scores: TrialScore[] = [];
  // One healthy baseline for every trial: faults before a trial never leak into what it compares with.
  let baseline: TimeRange = { fromMs: 0, toMs: 0 };
  try {
    await resetLab(ctx);
    log(`baseline: ${opts.baselineS} s of healthy traffic`);
    baseline = { fromMs: Date.now(), toMs: Date.now() + opts.baselineS * 1000 };
    await until(baseline.toMs);
    // Diagnoses run while the next trial's traffic flows: a window's data is fixed once it ends.
    let pending: Promise<void> = Promise.resolve();
    for (const [i, trial] of plan.entries()) {
      await resetLab(ctx);
      // Heap a leak kept is given back only at the process's next major GC, which would land in the
      // next trial's window as a large drop: a restart gives the next trial a clean heap, as an operator would.
      const previous = plan[i - 1];
      for (const fault of previous?.faults ?? [])
        if (LINGERING.has(fault.scenario)) for (const service of findScenario(fault.scenario).services) await stack.restart(service);
      await traffic.modelAnswers();
      for (const fault of trial.faults) await scenarioOn(fault.scenario, fault.level, ctx);
      // Effects take a moment (queues fill, the breaker trips): the window starts after it.
      const window: TimeRange = { fromMs: Date.now() + 2000, toMs: Date.now() + 2000 + opts.windowS * 1000 };
      await until(window.toMs);
      await pending;
      pending = diagnoseLater(trial, window, i);
    }
    await pending;
    await resetLab(ctx);
  } finally {
    await traffic.stop();
    await stack.stop();
  }
  writer?.finish();
  if (writer)
    log(`recorded ${plan.length} cases in ${path.relative(repoRoot, opts.cases)}: ${(casesSize(opts.cases) / 1024 / 1024).toFixed(1)} MiB`);
  report(scores, opts, { mode: 'online', sent: traffic.sent() });
  if (writer) accept(scores, opts);

  async function diagnoseLater(trial: TrialPlan, window: TimeRange, i: number): Promise<void> {
    // Spans reach Jaeger within about a second and Prometheus scrapes every 5 s: wait for both.
    await until(window.toMs + 6000);
    const started = performance.now();
    const input = await loadDiagnosisInput({ ...backends, window, baseline });
    const diagnosis: Diagnosis = diagnose(input);
    const elapsedMs = performance.now() - started;
    writer?.add(trial, input, elapsedMs);
    const score = scoreTrial(trial, diagnosis, elapsedMs);
    scores.push(score);
    log(progressLine(i + 1, plan.length, score));
  }
}
