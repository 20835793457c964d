// Grafana cannot run here, so every query it would run is run against the real backends: after
// a load burst, each panel of each provisioned dashboard must return data.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../local/paths';
import { burst, eventually, logsQuery, promQuery, restoreHealthyModel, SERVICE_NAMES, setModelBehaviour, URLS } from './support';
import { steadyTraffic } from './traffic';

interface Target {
  expr?: string;
  queryType?: string;
  datasource: { type: string; uid: string };
}
interface Panel {
  title: string;
  targets: Target[];
}

const dashboardDir = path.join(repoRoot, 'grafana', 'dashboards');
const dashboards = fs.readdirSync(dashboardDir).map(
  (f) =>
    JSON.parse(fs.readFileSync(path.join(dashboardDir, f), 'utf8')) as {
      title: string;
      panels: Panel[];
      templating: { list: { name: string }[] };
    },
);

/** What Grafana substitutes before sending a query. */
function substitute(expr: string, service: string): string {
  return expr.replaceAll('$__rate_interval', '1m').replaceAll('$__interval', '15s').replaceAll('$service', service);
}

/**
 * A LogsQL target on the endpoint the VictoriaLogs plugin picks for its queryType: log lines,
 * instant stats, or stats over the last hour in 1-minute steps.
 */
async function runLogsQL(target: Target): Promise<unknown[]> {
  const now = Math.floor(Date.now() / 1000);
  let endpoint: string;
  let window: Record<string, string>;
  switch (target.queryType ?? 'instant') {
    case 'instant':
      return logsQuery(target.expr!);
    case 'stats':
      [endpoint, window] = ['stats_query', { time: String(now) }];
      break;
    case 'statsRange':
      [endpoint, window] = ['stats_query_range', { start: String(now - 3600), end: String(now), step: '60s' }];
      break;
    default:
      throw new Error(`no runner for LogsQL queryType ${target.queryType}`);
  }
  const response = await fetch(`${URLS.victorialogs}/select/logsql/${endpoint}`, {
    method: 'POST',
    body: new URLSearchParams({ query: target.expr!, ...window }),
  });
  if (!response.ok) throw new Error(`LogsQL ${endpoint} ${target.expr}: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { data: { result: unknown[] } }).data.result;
}

/** Runs one panel target the way its datasource would, and says whether it returned data. */
async function returnsData(target: Target, service: string): Promise<boolean> {
  switch (target.datasource.type) {
    case 'prometheus':
      return (await promQuery(substitute(target.expr!, service))).length > 0;
    case 'victoriametrics-logs-datasource':
      return (await runLogsQL(target)).length > 0;
    case 'jaeger': {
      expect(target.queryType).toBe('dependencyGraph');
      const response = await fetch(`${URLS.jaeger}/api/dependencies?endTs=${Date.now()}&lookback=3600000`);
      return ((await response.json()) as { data: unknown[] }).data.length > 0;
    }
    default:
      throw new Error(`no runner for datasource type ${target.datasource.type}`);
  }
}

let stopTraffic: () => Promise<void>;

beforeAll(async () => {
  // Traffic while the panels are read, with some model errors (error logs, fallbacks) and some
  // bad requests (warn logs, 4xx).
  await setModelBehaviour({ error_rate: 0.3 });
  stopTraffic = steadyTraffic(600_000);
  await burst(5, 2, { customer_id: 'bad', features: { plan: 'gold' } });
});

afterAll(async () => {
  await stopTraffic();
  await restoreHealthyModel();
});

describe.each(dashboards.map((d) => [d.title, d] as const))('dashboard %s', (_title, dashboard) => {
  const services = dashboard.templating.list.some((v) => v.name === 'service') ? SERVICE_NAMES : ['-'];
  for (const panel of dashboard.panels) {
    for (const service of services) {
      it(`panel "${panel.title}"${service === '-' ? '' : ` for ${service}`} returns data`, async () => {
        for (const target of panel.targets) {
          await eventually(async () => ((await returnsData(target, service)) ? true : undefined), {
            timeoutMs: 90_000,
            intervalMs: 2000,
            what: `${dashboard.title} / ${panel.title} / ${target.expr ?? target.queryType} to return data`,
          });
        }
      });
    }
  }
});
