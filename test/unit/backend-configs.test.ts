// Each backend's config file, checked by that backend's own binary (the versions the stack runs).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../local/paths';
import { ensureBackend } from '../../tools/backends/cache';
import { backend, nativeBinary } from '../../tools/backends/index';
import { composeLayout, nativeLayout } from '../../tools/backends/layouts';
import { inRepo, run } from '../support/repo';

describe('backend configs', () => {
  // Each collector reads its config files and addresses from the flags and environment its
  // recipe gives it: check them as each topology and run mode would start it.
  it.each([
    ['collector', 'default', 'native'],
    ['collector', 'default', 'compose'],
    ['collector', 'scaled', 'native'],
    ['collector', 'scaled', 'compose'],
    ['collector-gateway', 'scaled', 'native'],
    ['collector-gateway', 'scaled', 'compose'],
  ] as const)('%s (%s topology, %s) passes the collector validate command', async (name, topology, mode) => {
    const recipe = backend(name);
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tracelab-check-'));
    const layout = mode === 'native' ? nativeLayout(name, dataDir, 'check-token', topology) : composeLayout(name, dataDir, topology);
    // Natively the runner writes the agent's list of gateways before it starts it.
    fs.mkdirSync(layout.dataDir, { recursive: true });
    if (mode === 'native' && recipe.discovers && topology === 'scaled')
      fs.writeFileSync(path.join(layout.dataDir, recipe.discovers.file), recipe.discovers.render(['127.0.0.1:4417']));
    // Compose mounts the repository's folders under /etc/tracelab.
    const args = recipe.args(layout).map((arg) => arg.replace('/etc/tracelab/', `${repoRoot}/`));
    expect(args.filter((arg) => arg.startsWith('--config=')).length).toBe(
      topology === 'scaled' ? (mode === 'native' && name === 'collector' ? 3 : 2) : 1,
    );
    const env = { ...process.env, ...recipe.env!(layout) };
    try {
      // Compose builds the whole manifest; natively each topology runs its own distribution.
      const binary = mode === 'native' ? nativeBinary(recipe, topology)! : 'collector-scaled';
      await expect(run(await ensureBackend(binary), ['validate', ...args], { env })).resolves.toBeDefined();
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('each collector distribution has every component its configs use; only the scaled one load-balances', async () => {
    const components = async (binary: string) => (await run(await ensureBackend(binary), ['components'])).stdout;
    const [defaultBuild, scaledBuild] = [await components('collector'), await components('collector-scaled')];
    for (const name of [
      'otlp',
      'statsd',
      'memory_limiter',
      'redaction',
      'batch',
      'delta_to_cumulative',
      'resource',
      'tail_sampling',
      'span_metrics',
      'otlp_grpc',
      'otlp_http',
      'health_check',
      'file_storage',
    ]) {
      expect(defaultBuild).toContain(`name: ${name}`);
      expect(scaledBuild).toContain(`name: ${name}`);
    }
    expect(defaultBuild).not.toContain('name: load_balancing');
    expect(scaledBuild).toContain('name: load_balancing');
  });

  it('jaeger/config.yaml passes the jaeger validate command', async () => {
    await expect(run(await ensureBackend('jaeger'), ['validate', `--config=${inRepo('jaeger', 'config.yaml')}`])).resolves.toBeDefined();
  });

  it('prometheus/prometheus.yml passes promtool check config', async () => {
    const { stdout } = await run(await ensureBackend('promtool'), ['check', 'config', inRepo('prometheus', 'prometheus.yml')]);
    expect(stdout).toContain('SUCCESS');
  });
});
