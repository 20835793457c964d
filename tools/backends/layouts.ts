// The two run modes' layouts: where a backend finds the repository, its data and the others,
// natively (everything on 127.0.0.1) and in compose (by service name, or 127.0.0.1 inside a
// shared network namespace). The runner uses the first, the generators both.
import path from 'node:path';
import { repoRoot } from '../../local/paths';
import { SERVICE_REGISTRY, type ServiceRegistry } from '../../services/registry';
import { BACKENDS, backend, composeVar, instanceNames, type Layout, type Topology } from './index';

export function nativeLayout(
  name: string,
  data: string,
  controlToken: string,
  topology: Topology = 'default',
  replica = 1,
  services: ServiceRegistry = SERVICE_REGISTRY,
): Layout {
  return {
    mode: 'native',
    topology,
    replica,
    listenHost: '127.0.0.1',
    repoPath: (...parts) => path.join(repoRoot, ...parts),
    address: (_target, port) => `127.0.0.1:${port}`,
    dataDir: path.join(data, name),
    controlToken,
    services,
  };
}

/** The backend a compose service runs: its own name, or `<backend>-<n>` for a copy. */
export const backendOf = (name: string) =>
  BACKENDS.find((b) => b.name === name) ?? BACKENDS.find((b) => instanceNames(b).includes(name)) ?? backend(name);

/** The compose service whose network namespace a component lives in. */
export const composeHostOf = (name: string, registry: ServiceRegistry = SERVICE_REGISTRY) =>
  name in registry ? name : (backendOf(name).compose.networkOf ?? name);

export function composeLayout(
  self: string,
  dataDir = '/data',
  topology: Topology = 'default',
  replica = 1,
  registry: ServiceRegistry = SERVICE_REGISTRY,
): Layout {
  const hostOf = (name: string) => composeHostOf(name, registry);
  return {
    mode: 'compose',
    topology,
    replica,
    listenHost: '0.0.0.0',
    repoPath: (...parts) => `/etc/tracelab/${parts.join('/')}`,
    address: (target, port) => (hostOf(target) === hostOf(self) ? `127.0.0.1:${port}` : `${hostOf(target)}:${port}`),
    dataDir,
    controlToken: composeVar('CONTROL_TOKEN', ':-'),
    services: registry,
  };
}
