// What the lab does to a running stack, as functions (the CLI tools/lab.ts and the web console
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
  /** Per service, the knobs whose value differs from the table's default. */
  changed: Record<KnobService, Record<string, { value: unknown; default: unknown }>>;
  /** Scenarios whose every knob is at one of their levels' values. */
  active: { scenario: string; level: string }[];
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
  return { changed, active };
}
