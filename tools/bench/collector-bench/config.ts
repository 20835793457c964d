// The configuration under test and its variants, and the trace shape telemetrygen sends.
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { repoRoot } from '../../../local/paths';
import type { CollectorBenchOptions } from './options';

/** Clear of the stack's collectors (4317…, 8888…) and of the services bench (2xxxx service ports). */
export const PORTS = { otlpGrpc: 24317, otlpHttp: 24318, health: 23133, metrics: 28888 };
export const METRICS_URL = `http://127.0.0.1:${PORTS.metrics}/metrics`;
/**
 * telemetrygen paces each worker with a limiter it waits on before every span: one worker keeps
 * 500 spans/s exactly, but falls behind at a few thousand (measured: 4,000 asked, 1,770 sent).
 */
export const SPANS_PER_WORKER = 500;
export const MiB = 1024 * 1024;

interface CollectorConfig {
  processors: { tail_sampling: { decision_wait: string }; memory_limiter?: Record<string, number> };
  service: { pipelines: Record<string, { processors?: string[] }> };
}
export const CONFIG = path.join(repoRoot, 'collector', 'config.yaml');
export const GATEWAY_CONFIG = path.join(repoRoot, 'collector', 'config.gateway.yaml');
const readConfig = (file: string) => parse(fs.readFileSync(file, 'utf8')) as CollectorConfig;
const gateway = readConfig(GATEWAY_CONFIG);
export const memoryLimiter = { ...readConfig(CONFIG).processors.memory_limiter, ...gateway.processors.memory_limiter };
/** memory_limiter refuses data once the Go heap passes limit − spike (its soft limit). */
export const softLimitMiB = (memoryLimiter.limit_mib ?? 0) - (memoryLimiter.spike_limit_mib ?? 0);

function seconds(duration: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)$/.exec(duration.trim());
  if (!match) throw new Error(`cannot read the duration ${JSON.stringify(duration)}`);
  return Number(match[1]) * { ms: 0.001, s: 1, m: 60 }[match[2] as 'ms' | 's' | 'm'];
}
export const configWaitS = seconds(gateway.processors.tail_sampling.decision_wait);
const sampledProcessors = gateway.service.pipelines['traces/sampled']?.processors ?? [];
if (!sampledProcessors.includes('tail_sampling')) throw new Error(`${GATEWAY_CONFIG}: traces/sampled has no tail_sampling processor`);

export interface Variant {
  key: string;
  label: string;
  /** decision_wait in s; undefined: no tail sampling. */
  waitS?: number;
  /** Tail sampling keeps every trace: as much sent on as without it. */
  keepAll?: boolean;
  /** Merged over config.yaml and config.gateway.yaml (the collector replaces lists, merges maps). */
  overlay?: unknown;
  env?: Record<string, string>;
}

export function variants(options: CollectorBenchOptions): Variant[] {
  const list: Variant[] = [];
  if (options.baseline) {
    list.push({
      key: 'baseline',
      label: 'no tail sampling',
      overlay: { service: { pipelines: { 'traces/sampled': { processors: sampledProcessors.filter((p) => p !== 'tail_sampling') } } } },
    });
  }
  list.push({ key: 'tail', label: 'tail sampling (config)', waitS: configWaitS });
  if (options.keepAll) {
    list.push({
      key: 'tail-keep-all',
      label: 'tail sampling keeping all',
      waitS: configWaitS,
      keepAll: true,
      env: { TAIL_SAMPLING_PERCENTAGE: '100' },
    });
  }
  // Other decision_wait values, for the memory per trace held.
  for (const waitS of [...new Set(options.waits)].filter((w) => w !== configWaitS).sort((a, b) => a - b)) {
    list.push({
      key: `tail-${waitS}s`,
      label: `tail sampling, ${waitS} s`,
      waitS,
      overlay: { processors: { tail_sampling: { decision_wait: `${waitS}s` } } },
    });
  }
  return list;
}

// The trace shape telemetrygen sends: a root span and children, like a tracelab request's HTTP
// server and client spans, with attributes of the same kind and a resource like the SDK's.

/** Per span beyond the two telemetrygen always sets (network.peer.address, service.peer.name). */
const SPAN_ATTRIBUTES: [string, string | number][] = [
  ['http.request.method', 'POST'],
  ['http.route', '/v1/predict'],
  ['http.response.status_code', 200],
  ['url.scheme', 'http'],
  ['url.path', '/v1/predict'],
  ['server.address', '127.0.0.1'],
  ['server.port', 8080],
  ['network.protocol.version', '1.1'],
  ['client.address', '127.0.0.1'],
  ['user_agent.original', 'node'],
  ['network.peer.port', 49152],
  ['tracelab.prediction', 'stay'],
];
export const RESOURCE_ATTRIBUTES: [string, string | number][] = [
  ['service.version', '0.1.0'],
  ['service.instance.id', '4f6c2a8e-1b7d-4e0a-9c3f-2d5b8a7e6f10'],
  ['deployment.environment.name', 'dev'],
  ['host.name', 'tracelab-bench'],
  ['host.arch', 'amd64'],
  ['os.type', 'linux'],
  ['process.pid', 4242],
  ['process.executable.name', 'node'],
  ['process.runtime.name', 'nodejs'],
  ['process.runtime.version', '24.21.0'],
  ['process.runtime.description', 'Node.js'],
  ['process.command', '/app/dist/services/gateway/src/server.js'],
  ['telemetry.sdk.name', 'opentelemetry'],
  ['telemetry.sdk.language', 'nodejs'],
  ['telemetry.sdk.version', '3.0.0'],
];

const attribute = ([key, v]: [string, string | number]) => `${key}=${typeof v === 'number' ? v : JSON.stringify(v)}`;

function spanAttributes(options: CollectorBenchOptions): [string, string | number][] {
  const extra = options.attributes - 2;
  return Array.from({ length: extra }, (_, i) => SPAN_ATTRIBUTES[i] ?? ([`bench.attribute.${i}`, `value-${i}`] as [string, string]));
}

export function generatorArgs(options: CollectorBenchOptions, durationS: number): string[] {
  const workers = Math.max(1, Math.ceil(options.rate / SPANS_PER_WORKER));
  return [
    'traces',
    '--otlp-endpoint',
    `127.0.0.1:${PORTS.otlpGrpc}`,
    '--otlp-insecure',
    '--workers',
    String(workers),
    '--rate',
    String(options.rate / workers),
    '--child-spans',
    String(options.spansPerTrace - 1),
    '--duration',
    `${durationS}s`,
    '--batch-size',
    String(options.batch),
    // Keep sending when the collector refuses: the refusals are counted, not fatal.
    '--allow-export-failures',
    '--service',
    'bench',
    ...RESOURCE_ATTRIBUTES.flatMap((a) => ['--otlp-attributes', attribute(a)]),
    ...spanAttributes(options).flatMap((a) => ['--telemetry-attributes', attribute(a)]),
  ];
}
