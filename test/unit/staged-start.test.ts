// The staged start's plan and status, without processes: what is built first, what each process
// starts without, and what the console reports from the runner's status file.
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../console/server/config';
import { createConsoleApp } from '../../console/server/server';
import { timeLeft } from '../../console/web/src/model/stackStatus';
import { pendingParts, type StackStatus } from '../../local/stack-status';
import { GO_BUILDS } from '../../tools/backends/index';
import { backendProcesses, buildOrder, serviceProcesses } from '../../tools/runner/plan';

const plan = (topology: 'default' | 'scaled') => [
  ...backendProcesses('/data', '/state/stack-status.json', 'token', topology, () => undefined),
  ...serviceProcesses('token'),
];
/** Every Go build pending, at its recipe's estimate. */
const allPending = (binary: string) => Object.values(GO_BUILDS).find((b) => b.binaries.includes(binary))?.estimateS;

describe('the build order of a cold start', () => {
  it('builds what the first trace needs first, then the rest shortest first', () => {
    expect(buildOrder(plan('default'), allPending)).toEqual([
      'collector',
      'jaeger',
      'victorialogs',
      'nats-server',
      'alertmanager',
      'prometheus',
    ]);
    // The scaled topology's agent runs the distribution with the load-balancing exporter.
    expect(buildOrder(plan('scaled'), allPending)).toEqual([
      'collector-scaled',
      'collector',
      'jaeger',
      'victorialogs',
      'nats-server',
      'alertmanager',
      'prometheus',
    ]);
  });

  it('builds only what is missing', () => {
    expect(buildOrder(plan('default'), (binary) => (binary === 'prometheus' ? 190 : undefined))).toEqual(['prometheus']);
  });

  it('lets the collector and the console start without the backends that are still building, never the services without the collector', () => {
    const byName = new Map(plan('default').map((p) => [p.name, p]));
    expect(byName.get('collector')?.startsWithout).toEqual(['jaeger', 'prometheus', 'victorialogs']);
    expect(byName.get('console')?.startsWithout).toEqual(['jaeger', 'prometheus', 'victorialogs']);
    expect(byName.get('gateway')?.dependsOn).toContain('collector');
    expect(byName.get('gateway')?.startsWithout).toEqual([]);
    expect([...byName.values()].filter((p) => p.firstTrace && p.binary).map((p) => p.binary)).toEqual(['collector', 'jaeger']);
  });
});

const NOW = 1_800_000_000_000;
const status: StackStatus = {
  builds: [
    { binary: 'alertmanager', expectedS: 95, startedAt: NOW - 35_000 },
    { binary: 'prometheus', expectedS: 190 },
  ],
  processes: [
    { name: 'collector', title: 'Collector', state: 'running', binary: 'collector' },
    { name: 'alertmanager', title: 'Alertmanager', state: 'building', binary: 'alertmanager' },
    { name: 'prometheus', title: 'Prometheus', state: 'building', binary: 'prometheus' },
    { name: 'victorialogs', title: 'VictoriaLogs', state: 'starting', binary: 'victorialogs' },
    { name: 'gateway', title: 'gateway', state: 'held' },
  ],
};

describe('what is still pending, from the status file', () => {
  it('counts the running build down from its estimate and queues the next after it', () => {
    expect(pendingParts(status, NOW)).toEqual([
      { title: 'Alertmanager', state: 'building', secondsLeft: 60 },
      { title: 'Prometheus', state: 'waiting to be built', secondsLeft: 250 },
      { title: 'VictoriaLogs', state: 'starting' },
    ]);
  });

  it('says "any moment" once a build takes longer than its estimate, and moves the next one along', () => {
    const late = pendingParts(status, NOW + 100_000);
    expect(late[0]).toEqual({ title: 'Alertmanager', state: 'building', secondsLeft: 0 });
    expect(late[1]?.secondsLeft).toBe(190);
    expect(timeLeft(0)).toBe(', any moment now');
    expect(timeLeft(45)).toBe(', under a minute left');
    expect(timeLeft(130)).toBe(', about 2 min left');
  });

  it('is served by the console, without a token, and is empty without a status file', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stack-status-'));
    const file = path.join(dir, 'stack-status.json');
    // Alertmanager is built and runs now; Prometheus builds.
    const later: StackStatus = {
      builds: [{ binary: 'prometheus', expectedS: 190, startedAt: Date.now() }],
      processes: status.processes.map((p) => (p.name === 'alertmanager' ? { ...p, state: 'running' } : p)),
    };
    fs.writeFileSync(file, JSON.stringify(later));
    const ask = async (env: NodeJS.ProcessEnv) => {
      const server = createConsoleApp({ ...loadConfig(env), controlToken: 'secret' }).listen(0, '127.0.0.1');
      await new Promise((resolve) => server.once('listening', resolve));
      try {
        const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/api/stack/status`);
        return { status: response.status, text: await response.text() };
      } finally {
        server.close();
      }
    };
    const withFile = await ask({ STACK_STATUS_FILE: file });
    expect(withFile.status).toBe(200);
    const body = JSON.parse(withFile.text) as { known: boolean; ready: boolean; pending: { title: string; secondsLeft?: number }[] };
    expect(body).toMatchObject({ known: true, ready: false });
    expect(body.pending.map((p) => p.title)).toEqual(['Prometheus', 'VictoriaLogs']);
    expect(body.pending[0]?.secondsLeft).toBeGreaterThan(180);
    expect(withFile.text).not.toContain('secret');
    expect(JSON.parse((await ask({})).text)).toEqual({ known: false, ready: true, pending: [] });
    fs.rmSync(dir, { recursive: true });
  });
});
