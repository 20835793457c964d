// Firing alerts, as delivered by Alertmanager to the alert recorder: a banner on every page with
// a link to the alert's runbook, to traces that show it and to the Diagnose page for its service.
import { getJson } from '../api';
import { type Delivery, firingAlerts } from '../model/alerts';
import { diagnoseHref } from '../model/diagnosis';
import { useAsync } from './useAsync';

const REFRESH_MS = 10_000;

export function AlertBanner() {
  const state = useAsync((signal) => getJson<Delivery[]>('/api/proxy/alerts/alerts', signal), [], REFRESH_MS);
  if (state.status !== 'ok') return null; // the recorder being down is not worth a banner on every page
  const firing = firingAlerts(state.data);
  if (!firing.length) return null;
  return (
    <section class="alert-banner" role="alert" aria-label="Firing alerts">
      {firing.map((alert) => (
        <p key={alert.name}>
          <span class="badge badge-alert">FIRING</span> <strong>{alert.name}</strong>
          {alert.summary ? `: ${alert.summary}` : ''} <a href={`/docs/runbooks#${alert.runbookAnchor}`}>runbook</a> ·{' '}
          <a href={alert.tracesUrl}>matching traces</a> · <a href={diagnoseHref(alert.service)}>diagnose</a>
        </p>
      ))}
    </section>
  );
}
