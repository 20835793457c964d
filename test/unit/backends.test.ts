// The backend builder's download-ahead: while one component compiles, the next ones' modules
// download one at a time, in build order; a failed download is left to that component's build.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { backendNames, componentDir, defaultBackendNames, fetchAhead } from '../../tools/backends/cache';
import { GO_BUILDS, type GoBuild } from '../../tools/backends/index';

function component(name: string, events: string[], fetchError?: Error): GoBuild {
  return {
    version: '1.0.0',
    recipe: 1,
    estimateS: 1,
    binaries: [name],
    build: () => Promise.reject(new Error('not built here')),
    async fetch(version, workDir) {
      events.push(`start ${name} ${version} ${fs.existsSync(workDir) ? 'in its folder' : 'without a folder'}`);
      await new Promise((resolve) => setImmediate(resolve));
      events.push(fetchError ? `fail ${name}` : `end ${name}`);
      if (fetchError) throw fetchError;
    },
  };
}

describe('fetchAhead', () => {
  // A cache folder per test: afterEach removes it.
  let cache = '';
  beforeEach(() => {
    cache = fs.mkdtempSync(path.join(os.tmpdir(), 'tracelab-fetch-test-'));
  });
  afterEach(() => {
    vi.unstubAllEnvs();
    fs.rmSync(cache, { recursive: true, force: true });
  });

  it('downloads in build order, one at a time, skips what is built and survives a failed download', async () => {
    vi.stubEnv('XDG_CACHE_HOME', cache);
    const events: string[] = [];
    // A cached component: its binary is in its cache folder already.
    const built = component('built', events);
    const { dir } = componentDir('built', built);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'built'), '');
    const withoutFetch: GoBuild = { ...component('plain', events), fetch: undefined };
    await fetchAhead([
      ['first', component('first', events, new Error('proxy refused'))],
      ['built', built],
      ['plain', withoutFetch],
      ['second', component('second', events)],
    ]);
    expect(events).toEqual(['start first 1.0.0 in its folder', 'fail first', 'start second 1.0.0 in its folder', 'end second']);
    // Each download's folder is removed afterwards.
    expect(fs.readdirSync(os.tmpdir()).filter((name) => name.startsWith('tracelab-fetch-first-'))).toEqual([]);
  });
});

describe('on-demand builds', () => {
  it('leaves them out of the default build (npm test builds that) and keeps them buildable by name', () => {
    const onDemand = Object.values(GO_BUILDS)
      .filter((c) => c.onDemand)
      .flatMap((c) => c.binaries);
    expect(onDemand).toContain('telemetrygen');
    expect(defaultBackendNames).toEqual(backendNames.filter((name) => !onDemand.includes(name)));
    expect(defaultBackendNames).toContain('collector');
    expect(defaultBackendNames).toContain('collector-scaled');
  });

  it('builds telemetrygen at the collector release it loads', () => {
    expect(GO_BUILDS.telemetrygen!.version).toBe(GO_BUILDS.collector!.version);
  });
});
