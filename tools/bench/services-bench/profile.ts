// Where the CPU goes (--profile): V8's CPU profiles of the services, each sample charged to the
// npm package (or tracelab's own code) whose JavaScript was running.
import fs from 'node:fs';
import path from 'node:path';
import type { ServiceName } from '../../../services/registry';
import { BENCH_DIR } from '../results';
import { fixed, median } from '../stats';
import type { Mode } from './modes';
import type { Run } from './run';

/** CLOCK_MONOTONIC in µs: the clock V8's profiler stamps its samples with. */
export const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);

export const profileDir = (mode: Mode) => path.join(BENCH_DIR, 'profiles', mode.name);

export function profileFile(mode: Mode, pid: number): string | undefined {
  const dir = profileDir(mode);
  const name = fs.existsSync(dir) ? fs.readdirSync(dir).find((f) => f.includes(`.${pid}.`) && f.endsWith('.cpuprofile')) : undefined;
  return name && path.join(dir, name);
}

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string }; children?: number[] }[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

const NO_JS_FRAME = 'Node (no JavaScript caller)';

/** Who a script belongs to: its npm package, tracelab's own code, or something else. */
function packageOf(url: string): string {
  const npm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];
  if (npm) return npm;
  return url.includes('/dist/') ? 'tracelab code' : 'other scripts';
}

/**
 * CPU ms per request in [fromUs, toUs], by owner: the nearest JavaScript frame of a sample (Node's
 * own frames and WebAssembly skipped) decides, so time in http or a socket write counts for
 * whoever called it. Each npm package is its own owner; garbage collection is separate.
 */
export function cpuByOwner(file: string, fromUs: number, toUs: number, requests: number): Record<string, number> {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const child of n.children ?? []) parent.set(child, n.id);
  const ownerOf = (id: number): string | undefined => {
    const leaf = byId.get(id)!.callFrame.functionName;
    if (leaf === '(idle)') return undefined;
    if (leaf === '(garbage collector)') return 'garbage collection';
    for (let x: number | undefined = id; x !== undefined; x = parent.get(x)) {
      const { url } = byId.get(x)!.callFrame;
      if (!url || url.startsWith('node:') || url.startsWith('wasm:')) continue;
      return packageOf(url);
    }
    return NO_JS_FRAME;
  };
  const owners = new Map<number, string | undefined>();
  const spent: Record<string, number> = {};
  let t = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i]!;
    if (t < fromUs || t > toUs) continue;
    const id = profile.samples[i]!;
    if (!owners.has(id)) owners.set(id, ownerOf(id));
    const owner = owners.get(id);
    if (owner) spent[owner] = (spent[owner] ?? 0) + profile.timeDeltas[i]! / 1000 / Math.max(requests, 1);
  }
  return spent;
}

/** Per service: CPU ms per request by owner, the median over the runs of each mode. */
const PROFILED_SERVICES = ['gateway', 'model-inference'] as const;

/** A mode's profiled model-path runs: per service, each owner's median CPU ms per request, largest first. */
function ownerMedians(runs: Run[], mode: string): Map<ServiceName, (readonly [string, number])[]> | undefined {
  const profiled = runs.filter((r) => r.mode === mode && r.scenario === 'model path' && r.profile);
  if (!profiled.length) return undefined;
  return new Map(
    PROFILED_SERVICES.map((service) => {
      const owners = [...new Set(profiled.flatMap((r) => Object.keys(r.profile?.[service] ?? {})))];
      const medians = owners
        .map((o) => [o, median(profiled.map((r) => r.profile?.[service]?.[o] ?? 0))] as const)
        .sort((a, b) => b[1] - a[1]);
      return [service, medians];
    }),
  );
}

export function printProfiles(runs: Run[]): void {
  const rows: Record<string, string | number>[] = [];
  for (const mode of new Set(runs.map((r) => r.mode))) {
    const byService = ownerMedians(runs, mode);
    if (!byService) continue;
    for (const [service, medians] of byService) {
      const telemetry = medians.filter(([o]) => o.startsWith('@opentelemetry')).reduce((sum, [, v]) => sum + v, 0);
      rows.push({
        mode,
        service,
        'ms/req, all': fixed(
          medians.reduce((sum, [, v]) => sum + v, 0),
          3,
        ),
        '@opentelemetry/*': fixed(telemetry, 3),
        GC: fixed(medians.find(([o]) => o === 'garbage collection')?.[1] ?? 0, 3),
        'largest OTel packages (ms/req)': medians
          .filter(([o]) => o.startsWith('@opentelemetry'))
          .slice(0, 5)
          .map(([o, v]) => `${o.replace('@opentelemetry/', '')} ${fixed(v, 3)}`)
          .join(', '),
      });
    }
  }
  if (rows.length) {
    console.log('\nwhere the CPU goes in the measured window (--profile; ms per request, medians):');
    console.table(rows);
  }
  printAddedByOwner(runs);
}

/** Each profiled mode against pure: how much more each owner spent per request, largest first. */
function printAddedByOwner(runs: Run[]): void {
  const pure = ownerMedians(runs, 'pure');
  if (!pure) return;
  const rows: Record<string, string>[] = [];
  for (const mode of new Set(runs.map((r) => r.mode))) {
    const byService = mode === 'pure' ? undefined : ownerMedians(runs, mode);
    if (!byService) continue;
    for (const [service, medians] of byService) {
      const pureByOwner = new Map(pure.get(service));
      const added = medians.map(([o, v]) => [o, v - (pureByOwner.get(o) ?? 0)] as const).sort((a, b) => b[1] - a[1]);
      rows.push({
        mode,
        service,
        'added ms/req': fixed(
          added.reduce((sum, [, v]) => sum + v, 0),
          3,
        ),
        'by owner (ms/req; the rest below 0.01)': added
          .filter(([, v]) => v >= 0.01)
          .map(([o, v]) => `${o.replace('@opentelemetry/', 'otel/')} +${fixed(v, 3)}`)
          .join(', '),
      });
    }
  }
  console.log('\nwhat each mode adds over pure, by owner (--profile; medians):');
  console.table(rows);
}
