// The console's copies of Grafana panels are the dashboards' panels: same title, same PromQL
// (with Grafana's $__rate_interval read as the console's 1m window).
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { GRAFANA_PANELS } from '../../../console/web/src/model/grafana-panels';
import { repoRoot } from '../../../local/paths';

const dashboards = fs.readdirSync(path.join(repoRoot, 'grafana/dashboards')).map(
  (file) =>
    JSON.parse(fs.readFileSync(path.join(repoRoot, 'grafana/dashboards', file), 'utf8')) as {
      title: string;
      panels: { title: string; targets?: { expr?: string }[] }[];
    },
);

describe('the Signals page panels named after Grafana', () => {
  it.each(GRAFANA_PANELS.map((p) => [`${p.dashboard} › ${p.panel.title}`, p] as const))(
    '%s has the dashboard panel’s query',
    (_name, p) => {
      const dashboard = dashboards.find((d) => d.title === p.dashboard);
      const panel = dashboard?.panels.find((q) => q.title === p.panel.title);
      expect(panel, `${p.dashboard} › ${p.panel.title} in grafana/dashboards`).toBeDefined();
      expect(panel!.targets!.map((t) => t.expr!.replaceAll('$__rate_interval', '1m'))).toEqual([p.expr]);
      expect(p.panel.queries[0]!.expr).toContain(p.expr);
    },
  );
});
