// Provisioned Grafana: dashboards are valid JSON with unique uids, and every datasource
// reference (panel, target, template variable, datasource link) resolves to a provisioned one.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { repoRoot } from '../../local/paths';

const grafana = path.join(repoRoot, 'grafana');
const datasources = (
  parse(fs.readFileSync(path.join(grafana, 'provisioning', 'datasources', 'datasources.yaml'), 'utf8')) as {
    datasources: { uid: string; type: string; jsonData?: Record<string, any> }[];
  }
).datasources;
const byUid = new Map(datasources.map((d) => [d.uid, d.type]));
const dashboardFiles = fs.readdirSync(path.join(grafana, 'dashboards')).filter((f) => f.endsWith('.json'));

/** Every { type, uid } datasource reference anywhere in a dashboard. */
function references(node: unknown, found: { uid: string; type: string }[] = []): { uid: string; type: string }[] {
  if (Array.isArray(node)) {
    for (const n of node) references(n, found);
  } else if (node && typeof node === 'object') {
    const o = node as Record<string, unknown>;
    if (o.datasource && typeof o.datasource === 'object') found.push(o.datasource as { uid: string; type: string });
    for (const v of Object.values(o)) references(v, found);
  }
  return found;
}

describe('grafana provisioning', () => {
  it('has the five dashboards', () => {
    expect(dashboardFiles.sort()).toEqual(['golden-signals.json', 'logs.json', 'model-health.json', 'pipeline.json', 'request-path.json']);
  });

  it('gives each dashboard a unique stable uid, a title and a description', () => {
    const uids = dashboardFiles.map((f) => {
      const d = JSON.parse(fs.readFileSync(path.join(grafana, 'dashboards', f), 'utf8'));
      expect(d.uid).toMatch(/^tracelab-[a-z-]+$/);
      expect(d.title).toBeTruthy();
      expect(d.description).toBeTruthy();
      for (const p of d.panels) expect(p.description, `${d.title} / ${p.title}`).toBeTruthy();
      return d.uid;
    });
    expect(new Set(uids).size).toBe(uids.length);
  });

  it('resolves every datasource reference to a provisioned datasource of the same type', () => {
    for (const f of dashboardFiles) {
      const refs = references(JSON.parse(fs.readFileSync(path.join(grafana, 'dashboards', f), 'utf8')));
      expect(refs.length).toBeGreaterThan(0);
      for (const ref of refs) expect(byUid.get(ref.uid), `${f}: ${ref.uid}`).toBe(ref.type);
    }
  });

  it('links the signals: exemplars → traces → logs and metrics, logs → traces', () => {
    const prometheus = datasources.find((d) => d.type === 'prometheus')!;
    const jaeger = datasources.find((d) => d.type === 'jaeger')!;
    const logs = datasources.find((d) => d.type === 'victoriametrics-logs-datasource')!;
    expect(byUid.get(prometheus.jsonData!.exemplarTraceIdDestinations[0].datasourceUid)).toBe('jaeger');
    expect(byUid.get(jaeger.jsonData!.tracesToLogsV2.datasourceUid)).toBe('victoriametrics-logs-datasource');
    expect(jaeger.jsonData!.tracesToLogsV2.query).toContain('trace_id');
    expect(byUid.get(jaeger.jsonData!.tracesToMetrics.datasourceUid)).toBe('prometheus');
    expect(byUid.get(logs.jsonData!.derivedFields[0].datasourceUid)).toBe('jaeger');
  });
});
