// Alertmanager: routes the alerts Prometheus fires to the alert recorder's webhook.
import fs from 'node:fs';
import path from 'node:path';
import { BACKEND_PORTS } from '../../local/ports';
import { type BackendRecipe, insideModule } from './recipe';

/** Pinned here and nowhere else: the native build and the compose image use it. */
const VERSION = '0.34.2';

export const alertmanager: BackendRecipe = {
  name: 'alertmanager',
  title: 'Alertmanager',
  summary: 'Alertmanager: groups and routes alerts to the webhook receiver',
  build: {
    version: VERSION,
    recipe: 1,
    estimateS: 55,
    binaries: ['alertmanager', 'amtool'],
    ...insideModule({
      module: 'github.com/prometheus/alertmanager',
      packages: [
        { pkg: './cmd/alertmanager', binary: 'alertmanager' },
        { pkg: './cmd/amtool', binary: 'amtool' },
      ],
      // Its web UI is embedded from ui/app/dist, which the module zip lacks: build with a
      // placeholder page (the API, which Prometheus and amtool use, is complete).
      prepare(src) {
        fs.mkdirSync(path.join(src, 'ui', 'app', 'dist'), { recursive: true });
        fs.writeFileSync(path.join(src, 'ui', 'app', 'dist', 'index.html'), '<p>Alertmanager UI not built: use the API or amtool.</p>\n');
      },
    }),
  },
  ports: BACKEND_PORTS.alertmanager,
  ready: { port: 'http', path: '/-/ready' },
  dependsOn: ['alert-recorder'],
  configFolders: ['alertmanager'],
  stateful: true,
  args: (layout) => [
    `--config.file=${layout.repoPath('alertmanager', 'alertmanager.yml')}`,
    `--storage.path=${layout.dataDir}`,
    `--web.listen-address=${layout.listenHost}:9093`,
    '--cluster.listen-address=', // a single instance: no gossip port
  ],
  compose: {
    image: `prom/alertmanager:v${VERSION}`,
    networkOf: 'collector',
    publish: [9093],
    dataDir: '/alertmanager',
    healthcheck: true,
  },
};
