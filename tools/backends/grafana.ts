// Grafana: dashboards over the three backends. AGPL and not buildable here: compose runs the
// image; natively it starts only if a grafana binary is already on PATH.

import { BACKEND_PORTS } from '../../local/ports';
import { type BackendRecipe, composeVar } from './recipe';

export const grafana: BackendRecipe = {
  name: 'grafana',
  title: 'Grafana',
  summary: 'Grafana: dashboards, correlations (compose, or natively if installed)',
  native: { path: ['grafana', 'grafana-server'] },
  ports: BACKEND_PORTS.grafana,
  ready: { port: 'http', path: '/api/health' },
  dependsOn: ['prometheus', 'jaeger', 'victorialogs'],
  configFolders: ['grafana'],
  stateful: true,
  args: (layout) => (layout.mode === 'native' ? ['server', `--homepath=${process.env.GF_PATHS_HOME ?? '/usr/share/grafana'}`] : []),
  env: (layout) => ({
    ...(layout.mode === 'native' ? { GF_PATHS_DATA: layout.dataDir, GF_SERVER_HTTP_ADDR: layout.listenHost } : {}),
    GF_PATHS_PROVISIONING: layout.repoPath('grafana', 'provisioning'),
    GRAFANA_DASHBOARDS_DIR: layout.repoPath('grafana', 'dashboards'),
    PROMETHEUS_URL: `http://${layout.address('prometheus', 9090)}`,
    JAEGER_URL: `http://${layout.address('jaeger', 16686)}`,
    VICTORIALOGS_URL: `http://${layout.address('victorialogs', 9428)}`,
  }),
  compose: {
    image: 'grafana/grafana:12.3.0',
    publish: [3000],
    healthcheck: true,
    extraEnvironment: {
      GF_SECURITY_ADMIN_PASSWORD: composeVar('GRAFANA_ADMIN_PASSWORD', ':?set GRAFANA_ADMIN_PASSWORD to start Grafana'),
      GF_AUTH_ANONYMOUS_ENABLED: 'true',
      GF_AUTH_ANONYMOUS_ORG_ROLE: 'Viewer',
      GF_PLUGINS_PREINSTALL: 'victoriametrics-logs-datasource',
    },
  },
};
