// The backend clients against a real HTTP server that answers as each backend does: typed
// answers, a refused query named as such, and a backend that is down, slow or failing turned
// into BackendUnavailableError with the reason in words.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertRecorderClient } from '../../clients/alert-recorder';
import { BackendUnavailableError, QueryRefusedError } from '../../clients/errors';
import { jaegerClient } from '../../clients/jaeger';
import { prometheusClient } from '../../clients/prometheus';
import { victoriaLogsClient } from '../../clients/victorialogs';

const json = (res: http.ServerResponse, status: number, body: unknown): void =>
  void res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));

/** Answers like Prometheus, VictoriaLogs, Jaeger and the alert recorder, by path. */
function fakeBackends(req: http.IncomingMessage, res: http.ServerResponse) {
  const url = new URL(req.url ?? '/', 'http://backend');
  const query = url.searchParams.get('query');
  if (url.pathname === '/api/v1/query') {
    if (query === 'slow') return void setTimeout(() => json(res, 200, { status: 'success', data: { result: [] } }), 2000);
    if (query === 'up')
      return json(res, 200, {
        status: 'success',
        data: { resultType: 'vector', result: [{ metric: { job: 'gateway' }, value: [1, '1'] }] },
      });
    return json(res, 400, { status: 'error', errorType: 'bad_data', error: `parse error in ${query}` });
  }
  if (url.pathname === '/api/v1/query_range')
    return json(res, 200, {
      status: 'success',
      data: {
        result: [
          {
            metric: {},
            values: [
              [1, '2'],
              [2, '3'],
            ],
          },
        ],
      },
    });
  if (url.pathname === '/select/logsql/query') {
    let body = '';
    req.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    req.on('end', () => {
      const logsql = new URLSearchParams(body).get('query');
      if (logsql === 'bad(') return void res.writeHead(400).end('cannot parse query');
      res.writeHead(200).end(`${JSON.stringify({ _msg: 'a', n: '1' })}\n${JSON.stringify({ _msg: 'b', n: '2' })}\n`);
    });
    return;
  }
  if (url.pathname === '/api/traces/0af7651916cd43dd8448eb211c80319c')
    return json(res, 200, { data: [{ traceID: '0af7', spans: [], processes: {} }] });
  if (url.pathname.startsWith('/api/traces/')) return json(res, 404, { errors: [{ code: 404, msg: 'trace not found' }] });
  if (url.pathname === '/alerts')
    return json(res, 200, [{ receiver: 'critical', receivedAt: 'now', payload: { status: 'firing', alerts: [] } }]);
  res.writeHead(503).end('overloaded');
}

let server: http.Server;
let base: string;

beforeAll(async () => {
  server = http.createServer(fakeBackends);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise((resolve) => server.close(resolve)));

/** A port that was just free: nothing listens there. */
async function closedPort(): Promise<string> {
  const probe = http.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(probe.address() as AddressInfo).port}`;
  await new Promise((resolve) => probe.close(resolve));
  return url;
}

describe('prometheusClient', () => {
  it('returns the samples of an instant and of a range query', async () => {
    const prometheus = prometheusClient(base);
    expect(await prometheus.query('up')).toEqual([{ metric: { job: 'gateway' }, value: [1, '1'] }]);
    expect(await prometheus.queryRange('up', 1, 2, 1)).toEqual([
      {
        metric: {},
        values: [
          [1, '2'],
          [2, '3'],
        ],
      },
    ]);
  });

  it('names a query Prometheus refuses, with its reason', async () => {
    const error = await prometheusClient(base)
      .query('sum(')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueryRefusedError);
    expect((error as Error).message).toBe('Prometheus refused sum(: parse error in sum(');
  });

  it('says a backend that is down is down, and how to start it', async () => {
    const url = await closedPort();
    const error = await prometheusClient(url)
      .query('up')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendUnavailableError);
    expect((error as Error).message).toBe(
      `Prometheus is not answering at ${url} (connection refused): start the stack with \`npm start\` (or \`docker compose up\`)`,
    );
  });
});

describe('victoriaLogsClient', () => {
  it('returns one row per record', async () => {
    expect(await victoriaLogsClient(base).query('*')).toEqual([
      { _msg: 'a', n: '1' },
      { _msg: 'b', n: '2' },
    ]);
  });

  it('names a query VictoriaLogs refuses', async () => {
    await expect(victoriaLogsClient(base).query('bad(')).rejects.toThrow('VictoriaLogs refused bad(: HTTP 400: cannot parse query');
  });
});

describe('jaegerClient', () => {
  it('returns a trace it has and undefined for one it does not', async () => {
    const jaeger = jaegerClient(base);
    expect((await jaeger.trace('0af7651916cd43dd8448eb211c80319c'))?.traceID).toBe('0af7');
    expect(await jaeger.trace('1af7651916cd43dd8448eb211c80319c')).toBeUndefined();
  });
});

describe('alertRecorderClient', () => {
  it('returns the deliveries', async () => {
    expect((await alertRecorderClient(base).deliveries()).map((d) => d.receiver)).toEqual(['critical']);
  });
});

describe('a slow or failing backend', () => {
  it('gives up after the timeout, saying so', async () => {
    const error = await prometheusClient(base, { timeoutMs: 200 })
      .query('slow')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendUnavailableError);
    expect((error as BackendUnavailableError).reason).toBe('no answer within 0.2 s');
  });

  it('reports a 5xx with its status and body', async () => {
    const error = await jaegerClient(base)
      .searchOtlp(new URLSearchParams())
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendUnavailableError);
    expect((error as BackendUnavailableError).reason).toBe('HTTP 503: overloaded');
  });
});
