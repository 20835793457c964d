// Credentials sent in headers, baggage and bodies never reach Jaeger, VictoriaLogs or Prometheus:
// the whole of each request's trace, every log record of it and every series Prometheus holds are
// searched for the secret values.
import { describe, expect, it } from 'vitest';
import { eventually, FEATURES, predict, randomHex, URLS, waitForCompleteTrace, waitForLogs } from './support';

describe('secrets', () => {
  it('keeps credentials from headers, baggage and bodies out of every backend', async () => {
    const secrets = {
      bearer: `sk-live-${randomHex(12)}`,
      cookie: `sess-${randomHex(12)}`,
      apiKey: `key-${randomHex(12)}`,
      baggage: `bag-${randomHex(12)}`,
      password: `pw-${randomHex(12)}`,
      email: `someone.${randomHex(4)}@example.com`,
    };
    const headers = {
      authorization: `Bearer ${secrets.bearer}`,
      cookie: `session=${secrets.cookie}`,
      'x-api-key': secrets.apiKey,
      baggage: `user.token=${secrets.baggage},user.email=${encodeURIComponent(secrets.email)}`,
    };
    // Accepted: the secret travels in the customer id (a personal identifier the pipeline masks).
    const ok = await predict(headers, { customer_id: secrets.email, features: FEATURES });
    expect(ok.status).toBe(200);
    // Refused: the secrets are in fields the schema does not know, and in a broken body.
    const refused = await predict(headers, {
      customer_id: 'c-1',
      password: secrets.password,
      features: { ...FEATURES, plan: secrets.password },
    });
    expect(refused.status).toBe(400);

    const traceIds = [ok.body.trace_id as string, refused.headers.get('traceresponse')!.split('-')[1]!];
    const stored: string[] = [];
    for (const id of traceIds) {
      stored.push(JSON.stringify(await waitForCompleteTrace(id)));
      stored.push(
        JSON.stringify(
          await waitForLogs(`trace_id:"${id}"`, (rows) =>
            rows.some((r) => r.msg === 'request completed' || r._msg === 'request completed'),
          ),
        ),
      );
    }
    // Every series of the services' metrics in Prometheus, labels and all, once the requests were scraped.
    const series = await eventually(
      async () => {
        const params = new URLSearchParams({
          'match[]': '{job=~"gateway|model-inference|fallback-rules"}',
          start: String(Date.now() / 1000 - 600),
        });
        const body = (await (await fetch(`${URLS.prometheus}/api/v1/series?${params}`)).json()) as { data: unknown[] };
        return body.data.length ? body.data : undefined;
      },
      { timeoutMs: 30_000, what: 'the services series in Prometheus' },
    );
    stored.push(JSON.stringify(series));

    const everything = stored.join('\n');
    for (const [kind, value] of Object.entries(secrets))
      expect(everything.includes(value), `${kind} (${value}) reached a backend`).toBe(false);
    console.log(
      `[secrets] ${Object.keys(secrets).length} secrets in 2 requests; searched ${(everything.length / 1024).toFixed(0)} KiB of stored traces, logs and series: none found`,
    );
  });
});
