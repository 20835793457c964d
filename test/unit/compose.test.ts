// docker-compose.yml and docker-compose.scaled.yml, checked by the real Compose implementation
// (built from the Go module proxy: `config` needs no Docker engine), and every host path they
// mount exists.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { repoRoot } from '../../local/paths';
import { ensureBackend } from '../../tools/backends/cache';
import { COMPOSE_FILES } from '../../tools/generate/compose';
import { run } from '../support/repo';

describe.each(Object.values(COMPOSE_FILES))('%s', (composeFile) => {
  it('is valid for Compose, and publishes only loopback ports a person opens', async () => {
    const compose = await ensureBackend('docker-compose');
    const { stdout } = await run(compose, ['-f', path.join(repoRoot, composeFile), 'config', '--format', 'json'], {
      cwd: repoRoot,
      env: { ...process.env, GRAFANA_ADMIN_PASSWORD: 'compose-test', CONTROL_TOKEN: 'compose-test-token' },
    });
    const config = JSON.parse(stdout) as { services: Record<string, { ports?: { host_ip: string; published: string }[]; image?: string }> };
    const published = Object.values(config.services).flatMap((s) => s.ports ?? []);
    for (const port of published) expect(port.host_ip).toBe('127.0.0.1');
    expect(published.map((p) => Number(p.published)).sort((a, b) => a - b)).toEqual([3000, 8080, 8090, 9090, 9093, 16686]);
    // Image versions come from the backend recipes: none is left unresolved or floating.
    for (const [name, service] of Object.entries(config.services)) if (service.image) expect(service.image, name).not.toMatch(/:$|latest/);
  });

  it('refuses to start Grafana without an admin password from the environment', async () => {
    const compose = await ensureBackend('docker-compose');
    const env = { ...process.env };
    delete env.GRAFANA_ADMIN_PASSWORD;
    await expect(run(compose, ['-f', path.join(repoRoot, composeFile), 'config', '--quiet'], { cwd: repoRoot, env })).rejects.toThrow(
      /GRAFANA_ADMIN_PASSWORD/,
    );
  });

  it('mounts only paths that exist in the repository, and named volumes it declares', () => {
    const file = parse(fs.readFileSync(path.join(repoRoot, composeFile), 'utf8')) as {
      services: Record<string, { volumes?: string[]; env_file?: string; build?: string | { context: string } }>;
      volumes?: Record<string, unknown>;
    };
    for (const [name, service] of Object.entries(file.services)) {
      for (const volume of service.volumes ?? []) {
        const host = volume.split(':')[0]!;
        if (host.startsWith('.')) expect(fs.existsSync(path.join(repoRoot, host)), `${name}: ${host}`).toBe(true);
        else expect(file.volumes, `${name}: volume ${host}`).toHaveProperty(host);
      }
      if (service.env_file) expect(fs.existsSync(path.join(repoRoot, service.env_file)), `${name}: ${service.env_file}`).toBe(true);
      const context = typeof service.build === 'string' ? service.build : service.build?.context;
      if (context) expect(fs.existsSync(path.join(repoRoot, context, 'Dockerfile')), `${name}: ${context}/Dockerfile`).toBe(true);
    }
  });
});

describe('docker-compose.scaled.yml', () => {
  type Service = { command?: string[]; environment?: Record<string, string>; networks?: Record<string, { aliases?: string[] }> };
  const file = () => parse(fs.readFileSync(path.join(repoRoot, COMPOSE_FILES.scaled), 'utf8')) as { services: Record<string, Service> };

  it('lets the agent find every gateway collector by the one DNS name they share', () => {
    const { services } = file();
    const gateways = Object.keys(services).filter((name) => /^collector-gateway-\d+$/.test(name));
    expect(gateways.length).toBeGreaterThanOrEqual(2);
    const host = services.collector!.environment!.GATEWAY_COLLECTORS_HOST;
    for (const gateway of gateways) expect(services[gateway]!.networks!.default!.aliases).toContain(host);
    expect(services.collector!.command).toContain('--config=/etc/tracelab/collector/config.agent.yaml');
  });

  it('puts the VictoriaLogs front end over every storage node', () => {
    const { services } = file();
    const nodes = Object.keys(services).filter((name) => /^victorialogs-storage-\d+$/.test(name));
    expect(nodes.length).toBeGreaterThanOrEqual(2);
    const storageNode = services.victorialogs!.command!.find((arg) => arg.startsWith('-storageNode='))!;
    expect(
      storageNode
        .split('=')[1]!
        .split(',')
        .map((address) => address.split(':')[0]),
    ).toEqual(nodes);
  });
});
