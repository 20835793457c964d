// Which alerts are firing now, from the alert recorder's list of Alertmanager webhook deliveries
// (oldest first): the latest delivery per alert wins; resolved alerts drop out.

export interface Delivery {
  receiver: string;
  receivedAt: string;
  payload: {
    status: string;
    alerts: { status: string; labels: Record<string, string>; annotations: Record<string, string>; startsAt?: string }[];
  };
}

export interface FiringAlert {
  name: string;
  summary: string;
  /** The runbook's section id in docs/runbooks.md (its heading, lower-cased). */
  runbookAnchor: string;
  /** The console's trace search for what the alert is about. */
  tracesUrl: string;
  /** The service the alert is about (its `service` label, else its scrape job), for the Diagnose page. */
  service: string | undefined;
  startsAt: string | undefined;
}

/** Trace searches that show each alert's symptom; anything else: the gateway's recent errors. */
const TRACE_SEARCH: Record<string, string> = {
  ModelUnavailableFallbackServing: '/traces?service=gateway&tags=%7B%22tracelab.source%22%3A%22fallback%22%7D',
  GatewayLatencySLOBurn: '/traces?service=gateway&minDuration=250ms',
};

export function firingAlerts(deliveries: Delivery[]): FiringAlert[] {
  const latest = new Map<
    string,
    { status: string; labels: Record<string, string>; annotations: Record<string, string>; startsAt?: string }
  >();
  for (const delivery of deliveries) {
    for (const alert of delivery.payload?.alerts ?? []) {
      const key = JSON.stringify(Object.entries(alert.labels ?? {}).sort());
      latest.set(key, alert);
    }
  }
  const byName = new Map<string, FiringAlert>();
  for (const alert of latest.values()) {
    const name = alert.labels.alertname;
    if (alert.status !== 'firing' || !name || byName.has(name)) continue;
    byName.set(name, {
      name,
      summary: alert.annotations?.summary ?? '',
      runbookAnchor: name.toLowerCase(),
      tracesUrl:
        TRACE_SEARCH[name] ?? `/traces?service=${encodeURIComponent(alert.labels.job ?? 'gateway')}&tags=%7B%22error%22%3A%22true%22%7D`,
      startsAt: alert.startsAt,
      service: alert.labels.service ?? alert.labels.job,
    });
  }
  return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
}
