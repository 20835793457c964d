// Each backend's config file, checked by that backend's own binary (the versions the stack runs).
import { describe, expect, it } from 'vitest';
import { ensureBackend } from '../../tools/backends';
import { collector } from '../../tools/backends/collector';
import { composeLayout } from '../../tools/compose';
import { nativeLayout } from '../../tools/stack';
import { inRepo, run } from '../support/repo';

describe('backend configs', () => {
  // The collector reads its addresses from the environment its recipe sets: check
  // the config with the environment of each run mode.
  it.each([
    ['native', nativeLayout('collector', '/tmp/tracelab-check', 'check-token')],
    ['compose', composeLayout('collector')],
  ] as const)('collector/config.yaml passes the collector validate command (%s environment)', async (_mode, layout) => {
    const env = { ...process.env, ...collector.env!(layout) };
    await expect(
      run(await ensureBackend('collector'), ['validate', `--config=${inRepo('collector', 'config.yaml')}`], { env }),
    ).resolves.toBeDefined();
  });

  it('the collector distribution has every component the config uses', async () => {
    const { stdout } = await run(await ensureBackend('collector'), ['components']);
    for (const name of ['otlp', 'memory_limiter', 'redaction', 'batch', 'span_metrics', 'otlp_grpc', 'otlp_http', 'health_check']) {
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
