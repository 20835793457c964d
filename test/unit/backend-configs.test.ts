// Each backend's config file, checked by that backend's own binary (the versions the stack runs).
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ensureBackend } from '../../tools/backends';
import { repoRoot } from '../../tools/paths';

const run = promisify(execFile);
const inRepo = (...parts: string[]) => path.join(repoRoot, ...parts);

describe('backend configs', () => {
  it('collector/config.yaml passes the collector validate command', async () => {
    await expect(
      run(await ensureBackend('collector'), ['validate', `--config=${inRepo('collector', 'config.yaml')}`]),
    ).resolves.toBeDefined();
  });

  it('the collector distribution has every component the config uses', async () => {
    const { stdout } = await run(await ensureBackend('collector'), ['components']);
    for (const name of [
      'otlp',
      'prometheus',
      'memory_limiter',
      'redaction',
      'batch',
      'span_metrics',
      'otlp_grpc',
      'otlp_http',
      'health_check',
    ]) {
      expect(stdout).toContain(`name: ${name}`);
    }
  });

  it('jaeger/config.yaml passes the jaeger validate command', async () => {
    await expect(run(await ensureBackend('jaeger'), ['validate', `--config=${inRepo('jaeger', 'config.yaml')}`])).resolves.toBeDefined();
  });

  it('prometheus/prometheus.yml passes promtool check config', async () => {
    const { stdout } = await run(await ensureBackend('promtool'), ['check', 'config', inRepo('prometheus', 'prometheus.yml')]);
    expect(stdout).toContain('SUCCESS');
  });
});
