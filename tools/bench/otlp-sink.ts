// The benchmarks' stand-in for the collector, in its own process so that receiving telemetry
// costs the measured services nothing it would not cost them in production: accepts OTLP over
// HTTP (protobuf or JSON) and gRPC, discards it, counts requests and bytes, and scrapes the
// services' Prometheus endpoints every 5 s as the collector does.
//
//   node dist/tools/bench/otlp-sink.js --scrape http://127.0.0.1:29464/metrics,…
//   prints one JSON line {"http": port, "grpc": port} when listening; GET /stats on the HTTP port.
import http from 'node:http';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';

const SCRAPE_INTERVAL_MS = 5000;

const counts: Record<string, { requests: number; bytes: number }> = {};

function count(signal: string, bytes: number): void {
  counts[signal] ??= { requests: 0, bytes: 0 };
  counts[signal].requests++;
  counts[signal].bytes += bytes;
}

/** /v1/traces → traces; gRPC /opentelemetry.proto.collector.trace.v1.TraceService/Export → traces. */
function signalOf(path: string): string {
  return /(trace|metric|log)s?/i.exec(path)?.[1]?.toLowerCase() ?? 'other';
}

const httpServer = http.createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/stats') {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(counts));
    return;
  }
  let bytes = 0;
  req.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
  });
  req.on('end', () => {
    count(signalOf(req.url ?? ''), bytes);
    const json = req.headers['content-type']?.includes('json');
    res.writeHead(200, { 'content-type': json ? 'application/json' : 'application/x-protobuf' }).end(json ? '{}' : undefined);
  });
});

// gRPC over cleartext HTTP/2: an empty Export*ServiceResponse is a zero-length message.
const grpcServer = http2.createServer();
grpcServer.on('stream', (stream, headers) => {
  let bytes = 0;
  stream.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
  });
  stream.on('end', () => {
    count(signalOf(String(headers[':path'])), bytes);
    stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
    stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
    stream.end(Buffer.alloc(5));
  });
});

const scrapeIndex = process.argv.indexOf('--scrape');
const scrapeTargets = scrapeIndex > 0 ? (process.argv[scrapeIndex + 1] ?? '').split(',').filter(Boolean) : [];
setInterval(() => {
  for (const target of scrapeTargets) {
    // A service without /metrics (the runs without the SDK) refuses the connection: nothing to count.
    fetch(target, { signal: AbortSignal.timeout(2000) })
      .then((response) => response.text())
      .then((text) => count('scrape', text.length))
      .catch(() => undefined);
  }
}, SCRAPE_INTERVAL_MS);

Promise.all([
  new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve)),
  new Promise<void>((resolve) => grpcServer.listen(0, '127.0.0.1', resolve)),
]).then(() => {
  const port = (server: { address(): unknown }) => (server.address() as AddressInfo).port;
  console.log(JSON.stringify({ http: port(httpServer), grpc: port(grpcServer) }));
});
process.once('SIGTERM', () => process.exit(0));
