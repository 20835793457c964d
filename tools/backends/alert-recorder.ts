// The demo's alert receiver: Alertmanager's webhook target, readable by tests and the console.
import type { BackendRecipe } from './recipe';

export const alertRecorder: BackendRecipe = {
  name: 'alert-recorder',
  summary: 'webhook receiver that keeps delivered alerts (GET /alerts)',
  native: { node: 'alert-recorder.js' },
  ports: { http: 9099 },
  ready: { port: 'http', path: '/alerts' },
  dependsOn: [],
  configFolders: [],
  stateful: false,
  args: () => [],
  env: (layout) => ({ HOST: layout.listenHost, PORT: '9099' }),
  compose: { build: { context: '.' }, networkOf: 'collector' },
};
