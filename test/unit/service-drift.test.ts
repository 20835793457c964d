// A service is declared once, in services/registry.ts: everything that lists the services derives
// the list from it. These tests add a fourth service to a copy of the registry and check that each
// derived list takes it up, so a hand-kept list anywhere fails here.
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig } from '../../console/server/config';
import { signalServices } from '../../console/web/src/model/services';
import { SERVICE_REGISTRY, type ServiceRegistry } from '../../services/registry';
import { composeLayout, nativeLayout } from '../../tools/backends/layouts';
import { serviceTargets } from '../../tools/backends/prometheus';
import { composeDocument, generatedFiles } from '../../tools/generate/compose';
import { helmValues } from '../../tools/generate/helm';

/** The registry plus a service the gateway calls, on ports of its own. */
const WITH_AUDIT: ServiceRegistry = {
  ...SERVICE_REGISTRY,
  audit: { version: '0.1.0', port: 8083, metricsPort: 9467, calls: {}, published: false, summary: 'a fourth service' },
  gateway: { ...SERVICE_REGISTRY.gateway, calls: { ...SERVICE_REGISTRY.gateway.calls, AUDIT_URL: 'audit' } },
};

interface ComposeFile {
  services: Record<string, { environment?: Record<string, string>; depends_on?: Record<string, unknown> }>;
}

describe('a service added to the registry', () => {
  it('runs in compose, with its callers and the console pointed at it', () => {
    const compose = parse(composeDocument('default', WITH_AUDIT)) as ComposeFile;
    expect(compose.services.audit?.environment?.PORT).toBe('8083');
    expect(compose.services.gateway?.environment?.AUDIT_URL).toBe('http://audit:8083');
    expect(compose.services.gateway?.depends_on).toHaveProperty('audit');
    expect(compose.services.console?.environment?.AUDIT_URL).toBe('http://audit:8083');
  });

  it('is a service of the Helm values', () => {
    const values = parse(helmValues(WITH_AUDIT)) as { services: Record<string, { port: number; calls: Record<string, string> }> };
    expect(values.services.audit?.port).toBe(8083);
    expect(values.services.gateway?.calls.AUDIT_URL).toBe('audit');
  });

  it('is scraped by Prometheus, natively and in compose', () => {
    const jobs = (targets: { targets: string[]; labels: { job: string } }[]) => targets.map((t) => `${t.labels.job} ${t.targets[0]}`);
    expect(jobs(serviceTargets(nativeLayout('prometheus', '/data', '', 'default', 1, WITH_AUDIT)))).toContain('audit 127.0.0.1:9467');
    expect(jobs(serviceTargets(composeLayout('prometheus', '/data', 'default', 1, WITH_AUDIT)))).toContain('audit audit:9467');
    const files = generatedFiles(WITH_AUDIT);
    expect(JSON.parse(files['prometheus/targets/services.json']!)).toContainEqual({
      targets: ['127.0.0.1:9467'],
      labels: { job: 'audit' },
    });
  });

  it('is in the console configuration, at its native address or the one the environment gives', () => {
    expect(loadConfig({}, WITH_AUDIT).services.audit).toBe('http://127.0.0.1:8083');
    expect(loadConfig({ AUDIT_URL: 'http://audit:8083' }, WITH_AUDIT).services.audit).toBe('http://audit:8083');
    // The existing services keep the variables their callers use.
    expect(loadConfig({ MODEL_URL: 'http://model:1' }, WITH_AUDIT).services['model-inference']).toBe('http://model:1');
  });

  it('is on the Signals page, after the entry point', () => {
    expect(signalServices(WITH_AUDIT)).toEqual(['gateway', 'model-inference', 'fallback-rules', 'audit']);
  });
});
