// What does the instrumentation cost? Runs the three services twice in the same run, once with
// the SDK disabled (baseline) and once fully instrumented and exporting, and loads the gateway
// with autocannon. Prints throughput, latency and memory side by side.
//
//   npm run bench [-- --seconds 10 --connections 20]

import fs from 'node:fs';
import http from 'node:http';
import autocannon from 'autocannon';
import { type RunningProcess, startProcess } from './process';
import { SERVICE_NAMES, servicePorts, serviceProcessSpec } from './services';

const PORT_OFFSET = 20_000; // gateway on 28080 etc.: clear of a running stack
const args = process.argv.slice(2);
const option = (name: string, fallback: number) => Number(args[args.indexOf(`--${name}`) + 1] ?? fallback) || fallback;
const seconds = option('seconds', 10);
const connections = option('connections', 20);

interface Mode {
  name: string;
  env: Record<string, string>;
}

interface Result {
  mode: string;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  errors: number;
  gatewayRssMiB: number;
}

/** An OTLP endpoint that accepts and discards everything: the exporters do their full work. */
async function startSink(): Promise<{ url: string; close: () => void }> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, close: () => server.close() };
}

function rssMiB(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
}

async function runMode(mode: Mode): Promise<Result> {
  const started: RunningProcess[] = [];
  try {
    for (const name of SERVICE_NAMES) {
      const env = {
        ...mode.env,
        // Measure the instrumentation, not the simulated model.
        MODEL_LATENCY_MEDIAN_MS: '0',
        MODEL_LATENCY_P99_MS: '0',
        LOG_LEVEL: 'warn',
      };
      started.push(await startProcess(serviceProcessSpec(name, env, { portOffset: PORT_OFFSET }), { readyTimeoutMs: 20_000 }));
    }
    const gatewayUrl = `http://127.0.0.1:${servicePorts('gateway', PORT_OFFSET).http}`;
    const request = {
      method: 'POST' as const,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ customer_id: 'bench', features: { tenure_months: 12, monthly_spend: 60, support_tickets: 1, plan: 'pro' } }),
    };
    await autocannon({ url: `${gatewayUrl}/v1/predict`, ...request, connections, duration: 2 }); // warm-up (JIT)
    const result = await autocannon({ url: `${gatewayUrl}/v1/predict`, ...request, connections, duration: seconds });
    return {
      mode: mode.name,
      requestsPerSecond: result.requests.average,
      p50: result.latency.p50,
      p99: result.latency.p99,
      errors: result.errors + result.non2xx,
      gatewayRssMiB: rssMiB(started.find((p) => p.name === 'gateway')!.pid),
    };
  } finally {
    await Promise.all(started.map((p) => p.stop()));
  }
}

async function main(): Promise<void> {
  const sink = await startSink();
  const modes: Mode[] = [
    { name: 'baseline (OTEL_SDK_DISABLED)', env: { OTEL_SDK_DISABLED: 'true' } },
    { name: 'instrumented, exporting', env: { OTEL_EXPORTER_OTLP_ENDPOINT: sink.url } },
  ];
  console.log(`gateway POST /v1/predict, ${connections} connections, ${seconds} s per mode, model latency 0\n`);
  const results: Result[] = [];
  for (const mode of modes) results.push(await runMode(mode));
  sink.close();
  console.table(
    results.map((r) => ({
      mode: r.mode,
      'req/s': Math.round(r.requestsPerSecond),
      'p50 ms': r.p50,
      'p99 ms': r.p99,
      errors: r.errors,
      'gateway RSS MiB': Math.round(r.gatewayRssMiB),
    })),
  );
  const [baseline, instrumented] = results as [Result, Result];
  console.log(`instrumented throughput: ${((instrumented.requestsPerSecond / baseline.requestsPerSecond) * 100).toFixed(0)}% of baseline`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
