// An alert end to end: a model fault makes the fallback alert fire in Prometheus, Alertmanager
// routes it by severity to the recorder's webhook, and removing the fault resolves it.
import { afterAll, describe, expect, it } from 'vitest';
import { alertRecorderClient, type Delivery } from '../../clients/alert-recorder';
import { eventually, HEALTHY_MODEL, restoreHealthyModel, setModelBehaviour, URLS } from './support';
import { steadyTraffic } from './traffic';

const ALERT = 'ModelUnavailableFallbackServing';

async function deliveries(since: number, status: 'firing' | 'resolved'): Promise<Delivery[]> {
  const all = await alertRecorderClient(URLS.alertRecorder).deliveries();
  return all.filter(
    (d) => Date.parse(d.receivedAt) >= since && d.payload.alerts.some((a) => a.labels.alertname === ALERT && a.status === status),
  );
}

afterAll(async () => {
  await restoreHealthyModel();
});

/**
 * Waits until neither Prometheus nor Alertmanager holds the alert: an earlier test that made the
 * model fail (a lab scenario) can leave it firing for a minute, and Alertmanager does not notify
 * again about an alert it already delivered (repeat_interval), so this test's fault must start
 * from a clean state to see its own firing notification.
 */
async function alertGone(): Promise<void> {
  await eventually(
    async () => {
      const prometheus = (await (await fetch(`${URLS.prometheus}/api/v1/alerts`)).json()) as {
        data: { alerts: { labels: Record<string, string> }[] };
      };
      const alertmanager = (await (
        await fetch(`${URLS.alertmanager}/api/v2/alerts?${new URLSearchParams({ filter: `alertname="${ALERT}"` })}`)
      ).json()) as unknown[];
      return prometheus.data.alerts.every((a) => a.labels.alertname !== ALERT) && alertmanager.length === 0 ? true : undefined;
    },
    { timeoutMs: 180_000, intervalMs: 2000, what: `${ALERT} to be gone from Prometheus and Alertmanager before the test's own fault` },
  );
}

describe('the fallback alert', () => {
  it('fires when the model fails, reaches the major receiver, and resolves when it recovers', async () => {
    const stopTraffic = steadyTraffic(420_000);
    try {
      await restoreHealthyModel();
      await alertGone();
      const faultStart = Date.now();
      await setModelBehaviour({ error_rate: 1 });

      await eventually(
        async () => {
          const body = (await (await fetch(`${URLS.prometheus}/api/v1/alerts`)).json()) as {
            data: { alerts: { labels: Record<string, string>; state: string }[] };
          };
          return body.data.alerts.some((a) => a.labels.alertname === ALERT && a.state === 'firing') ? true : undefined;
        },
        { timeoutMs: 120_000, intervalMs: 2000, what: `${ALERT} firing in Prometheus` },
      );
      const [fired] = await eventually(
        async () => {
          const found = await deliveries(faultStart, 'firing');
          return found.length ? found : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 1000, what: `${ALERT} delivered to the recorder` },
      );
      expect(fired!.receiver).toBe('major');
      const alert = fired!.payload.alerts.find((a) => a.labels.alertname === ALERT)!;
      expect(alert.labels.severity).toBe('major');
      expect(alert.annotations.description).toMatch(/\d+(\.\d+)?% of predictions used the fallback rules/);
      expect(alert.annotations.runbook_url).toContain('runbooks.md#');

      const recoveryStart = Date.now();
      await setModelBehaviour(HEALTHY_MODEL);
      const [resolved] = await eventually(
        async () => {
          const found = await deliveries(recoveryStart, 'resolved');
          return found.length ? found : undefined;
        },
        { timeoutMs: 180_000, intervalMs: 2000, what: `${ALERT} resolved and delivered` },
      );
      expect(resolved!.receiver).toBe('major');
    } finally {
      await stopTraffic();
    }
    // Waiting for a clean start, the firing and the resolution each have their own deadline above.
  }, 600_000);
});
