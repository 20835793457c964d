// What the lab does to a running stack, as functions (the CLI tools/cli/lab.ts and the web console
// call these): turn a scenario on or off, reset every knob, report what is on.
import { KNOB_TABLE, type KnobService } from '../services/shared/knob-table';
import { defaultValues, type KnobSet } from '../services/shared/knobs';
import { getKnobs, type LabContext, LabError, putKnobs } from './context';
import { SCENARIOS, type Scenario } from './scenarios';

const SERVICES = Object.keys(KNOB_TABLE) as KnobService[];

export function findScenario(name: string): Scenario {
  const found = SCENARIOS.find((s) => s.name === name);
  if (!found) throw new LabError(`unknown scenario "${name}"; scenarios: ${SCENARIOS.map((s) => s.name).join(', ')}`);
  return found;
}

/** Turns a scenario on at a level (its default level when none is given). */
export async function scenarioOn(name: string, level: string | undefined, ctx: LabContext): Promise<{ scenario: string; level: string }> {
  const scenario = findScenario(name);
  const chosen = level ?? scenario.defaultLevel;
  const settings = scenario.levels[chosen];
  if (!settings) throw new LabError(`scenario ${name} has no level "${chosen}"; levels: ${Object.keys(scenario.levels).join(', ')}`);
  for (const service of scenario.services) {
    await putKnobs(service, settings.knobs[service] ?? {}, ctx);
  }
  return { scenario: name, level: chosen };
}

/** Every knob a scenario turns at any level, by service. */
function knobsOf(scenario: Scenario): Map<KnobService, Set<string>> {
  const knobs = new Map<KnobService, Set<string>>();
  for (const level of Object.values(scenario.levels)) {
    for (const [service, values] of Object.entries(level.knobs) as [KnobService, Record<string, unknown>][]) {
      const names = knobs.get(service) ?? new Set();
      for (const name of Object.keys(values)) names.add(name);
      knobs.set(service, names);
    }
  }
  return knobs;
}

const toStartValues = (names: Iterable<string>) => Object.fromEntries([...names].map((name) => [name, null]));

/** Puts the knobs a scenario turns back to the values their services started with. */
export async function scenarioOff(name: string, ctx: LabContext): Promise<void> {
  for (const [service, names] of knobsOf(findScenario(name))) await putKnobs(service, toStartValues(names), ctx);
}

/** Puts every knob of every service back to the value it started with. */
export async function resetLab(ctx: LabContext): Promise<void> {
  await Promise.all(SERVICES.map((service) => putKnobs(service, toStartValues(Object.keys(KNOB_TABLE[service])), ctx)));
}

export interface LabStatus {
  /** Per service, the knobs whose value differs from the table's default, however they were changed. */
  changed: Record<KnobService, Record<string, { value: unknown; default: unknown }>>;
  /** Scenarios whose every knob is at one of their levels' values. */
  active: { scenario: string; level: string }[];
  /**
   * Scenarios some of whose fault knobs are at a level's values (and away from their defaults)
   * while others are not: e.g. after a lesson's fix put one knob back. `set` and `unset` name
   * knobs as `service.knob`; the level is the one with the most knobs set.
   */
  partial: { scenario: string; level: string; set: string[]; unset: string[] }[];
}

/** A seed only makes draws replayable: on its own it is no fault, so it does not make a scenario partly on. */
const isSeed = (knob: string) => knob === 'seed' || knob.endsWith('_seed');

type Values = Record<KnobService, Record<string, unknown>>;

const levelKnobs = (level: Scenario['levels'][string]) =>
  Object.entries(level.knobs).flatMap(([service, values]) =>
    Object.entries(values as Record<string, unknown>).map(([name, value]) => ({ service: service as KnobService, name, value })),
  );

/**
 * The level of a scenario with the most of its fault knobs set, if some but not all are. A knob
 * that a scenario which is fully on sets (`explained`, as `service.knob`) does not count: the
 * slow-model scenario's p99 of 400 ms does not make tail-latency's mild level partly on.
 */
function partlyOn(scenario: Scenario, current: Values, defaults: Values, explained: Set<string>): LabStatus['partial'][number] | undefined {
  let best: LabStatus['partial'][number] | undefined;
  for (const [level, settings] of Object.entries(scenario.levels)) {
    const faults = levelKnobs(settings).filter((knob) => !isSeed(knob.name));
    const set = faults.filter(
      (k) => current[k.service][k.name] === k.value && defaults[k.service][k.name] !== k.value && !explained.has(`${k.service}.${k.name}`),
    );
    if (set.length === 0 || set.length === faults.length) continue;
    const unset = faults.filter((k) => !set.includes(k));
    if (!best || set.length > best.set.length)
      best = {
        scenario: scenario.name,
        level,
        set: set.map((k) => `${k.service}.${k.name}`),
        unset: unset.map((k) => `${k.service}.${k.name}`),
      };
  }
  return best;
}

export async function labStatus(ctx: LabContext): Promise<LabStatus> {
  const current = Object.fromEntries(await Promise.all(SERVICES.map(async (s) => [s, await getKnobs(s, ctx)] as const))) as Record<
    KnobService,
    Record<string, unknown>
  >;
  const changed = {} as LabStatus['changed'];
  for (const service of SERVICES) {
    const defaults = defaultValues(KNOB_TABLE[service] as KnobSet) as Record<string, unknown>;
    changed[service] = Object.fromEntries(
      Object.entries(defaults)
        .filter(([name, value]) => current[service][name] !== value)
        .map(([name, value]) => [name, { value: current[service][name], default: value }]),
    );
  }
  const active = SCENARIOS.flatMap((scenario) =>
    Object.entries(scenario.levels)
      .filter(([, level]) =>
        Object.entries(level.knobs).every(([service, values]) =>
          Object.entries(values as Record<string, unknown>).every(([name, value]) => current[service as KnobService][name] === value),
        ),
      )
      .map(([level]) => ({ scenario: scenario.name, level })),
  );
  const defaults = Object.fromEntries(SERVICES.map((s) => [s, defaultValues(KNOB_TABLE[s] as KnobSet)])) as Values;
  const explained = new Set(
    active.flatMap(({ scenario, level }) => levelKnobs(findScenario(scenario).levels[level]!).map((k) => `${k.service}.${k.name}`)),
  );
  const partial = SCENARIOS.filter((scenario) => !active.some((a) => a.scenario === scenario.name)).flatMap(
    (scenario) => partlyOn(scenario, current, defaults, explained) ?? [],
  );
  return { changed, active, partial };
}
