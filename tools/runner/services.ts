// How a service process is started, in one place: the native runner, the bench and the tests
// all use `node --require <instrumentation> <server>`, so the SDK is loaded before any
// application module and the instrumentation is what production gets (the Dockerfile too).
import path from 'node:path';
import { localServiceUrl } from '../../local/addresses';
import { distDir } from '../../local/paths';
import { SERVICE_NODE_OPTIONS, SERVICE_REGISTRY, type ServiceName } from '../../services/registry';
import type { ProcessSpec } from './process';

export function serviceCommand(name: ServiceName, { instrumented = true } = {}): { command: string; args: string[] } {
  const src = path.join(distDir, 'services', name, 'src');
  const server = path.join(src, 'server.js');
  return { command: process.execPath, args: instrumented ? ['--require', path.join(src, 'instrumentation.js'), server] : [server] };
}

export interface ServiceLaunchOptions {
  /** Added to every port (HTTP and metrics) so a second copy runs beside a running stack. */
  portOffset?: number;
  /** false: start without the SDK (the bench's "pure" baseline). */
  instrumented?: boolean;
}

/** Ports of a service copy started with an offset (integration tests, bench). */
export const servicePorts = (name: ServiceName, portOffset = 0) => ({
  http: SERVICE_REGISTRY[name].port + portOffset,
  metrics: SERVICE_REGISTRY[name].metricsPort + portOffset,
});

/** A service as a process: its ports, its downstream URLs from the registry, and `env` on top. */
export function serviceProcessSpec(name: ServiceName, env: Record<string, string> = {}, options: ServiceLaunchOptions = {}): ProcessSpec {
  const { portOffset = 0, instrumented = true } = options;
  const calls = SERVICE_REGISTRY[name].calls as Record<string, ServiceName>;
  const ports = servicePorts(name, portOffset);
  return {
    name,
    ...serviceCommand(name, { instrumented }),
    env: {
      HOST: '127.0.0.1',
      PORT: String(ports.http),
      NODE_OPTIONS: SERVICE_NODE_OPTIONS,
      OTEL_EXPORTER_PROMETHEUS_PORT: String(ports.metrics),
      ...Object.fromEntries(Object.entries(calls).map(([variable, target]) => [variable, localServiceUrl(target, portOffset)])),
      ...env,
    },
    readyUrl: `http://127.0.0.1:${ports.http}/healthz`,
    ports: [ports.http, ports.metrics],
  };
}
