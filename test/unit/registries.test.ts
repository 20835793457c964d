// The registries are the single source: these tests fail when something derived from them, or
// written beside them, drifts (compose file, collector manifest versions, start order).
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { SERVICE_NAMES, SERVICE_REGISTRY } from '../../services/registry';
import { collector } from '../../tools/backends/collector';
import { BACKENDS, instanceNames, instancePort, startOrder } from '../../tools/backends/index';
import { generatedFiles } from '../../tools/generate/compose';
import { inRepo } from '../support/repo';

describe('files generated from the registries', () => {
  it.each(Object.entries(generatedFiles()))(
    '%s is what they generate (run `npm run compose:generate` after changing them)',
    (file, wanted) => {
      expect(fs.readFileSync(inRepo(file), 'utf8')).toBe(wanted);
    },
  );
});

describe('collector/manifest.yaml', () => {
  const manifest = parse(fs.readFileSync(inRepo('collector', 'manifest.yaml'), 'utf8')) as {
    dist: { version: string };
    [section: string]: unknown;
  };
  const gomods = Object.values(manifest)
    .filter(Array.isArray)
    .flatMap((entries) =>
      (entries as { gomod?: string }[]).flatMap((entry) => (entry.gomod ? [entry.gomod.split(' ') as [string, string]] : [])),
    );

  it('builds every component at the version of the collector recipe', () => {
    const version = collector.build!.version;
    expect(manifest.dist.version).toBe(version);
    const components = gomods.filter(([, v]) => v.startsWith('v0.'));
    expect(components.length).toBeGreaterThan(5);
    for (const [module, v] of components) expect(v, module).toBe(`v${version}`);
  });

  it('takes every stable core module (v1.x) at one version', () => {
    const stable = new Set(gomods.filter(([, v]) => v.startsWith('v1.')).map(([, v]) => v));
    expect(stable.size).toBe(1);
  });
});

describe('start order', () => {
  it('starts every process after what it depends on', () => {
    const processes = [
      ...BACKENDS.map((b) => ({ name: b.name, dependsOn: b.dependsOn })),
      ...SERVICE_NAMES.map((name) => ({ name, dependsOn: ['collector', ...Object.values(SERVICE_REGISTRY[name].calls)] })),
    ];
    const order = startOrder(processes).map((p) => p.name);
    for (const p of processes)
      for (const d of p.dependsOn) expect(order.indexOf(d), `${d} before ${p.name}`).toBeLessThan(order.indexOf(p.name));
    expect(order.slice(-SERVICE_NAMES.length).sort()).toEqual([...SERVICE_NAMES].sort());
  });

  it('refuses a dependency cycle and an unknown dependency', () => {
    expect(() =>
      startOrder([
        { name: 'a', dependsOn: ['b'] },
        { name: 'b', dependsOn: ['a'] },
      ]),
    ).toThrow(/cycle: a → b → a/);
    expect(() => startOrder([{ name: 'a', dependsOn: ['nowhere'] }])).toThrow(/unknown "nowhere"/);
  });
});

describe('ports', () => {
  it('gives every process of the stack its own ports, in every topology', () => {
    const ports = [
      // Natively the copies of a replicated backend step their ports.
      ...BACKENDS.flatMap((b) =>
        instanceNames(b).flatMap((name, i) =>
          Object.keys(b.ports).map((port) => [name, instancePort(b, port, { mode: 'native', replica: i + 1 })] as const),
        ),
      ),
      ...SERVICE_NAMES.flatMap((name) => [
        [name, SERVICE_REGISTRY[name].port] as const,
        [name, SERVICE_REGISTRY[name].metricsPort] as const,
      ]),
    ];
    const seen = new Map<number, string>();
    for (const [owner, port] of ports) {
      expect(seen.get(port), `port ${port} of ${owner}`).toBeUndefined();
      seen.set(port, owner);
    }
  });
});
