// The demo's alert receiver: Alertmanager's webhook target, readable by tests and the console.

import { BACKEND_PORTS } from '../../local/ports';
import type { BackendRecipe } from './recipe';

export const alertRecorder: BackendRecipe = {
  name: 'alert-recorder',
  title: 'alert recorder',
  summary: 'webhook receiver that keeps delivered alerts (GET /alerts)',
  native: { node: 'runner/alert-recorder.js' },
  ports: BACKEND_PORTS['alert-recorder'],
  ready: { port: 'http', path: '/alerts' },
  dependsOn: [],
  configFolders: [],
  stateful: false,
  args: () => [],
  env: (layout) => ({ HOST: layout.listenHost, PORT: '9099' }),
  compose: { build: { context: '.' }, networkOf: 'collector' },
};
