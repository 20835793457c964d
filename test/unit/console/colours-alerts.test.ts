import { describe, expect, it } from 'vitest';
import { type Delivery, firingAlerts } from '../../../console/web/src/model/alerts';
import { contrastRatio, SERVICE_PALETTE, serviceColour } from '../../../console/web/src/model/colours';

describe('service colours', () => {
  it('are stable and readable on white (WCAG non-text contrast ≥ 3:1)', () => {
    expect(serviceColour('gateway')).toBe(serviceColour('gateway'));
    expect(serviceColour('some-other-service')).toBe(serviceColour('some-other-service'));
    for (const colour of SERVICE_PALETTE) expect(contrastRatio(colour, '#ffffff'), colour).toBeGreaterThanOrEqual(3);
  });

  it('give the three services distinct colours', () => {
    expect(new Set(['gateway', 'model-inference', 'fallback-rules'].map(serviceColour)).size).toBe(3);
  });
});

const delivery = (status: string, alertname: string, receivedAt: string): Delivery => ({
  receiver: 'default',
  receivedAt,
  payload: { status, alerts: [{ status, labels: { alertname, severity: 'page' }, annotations: { summary: `${alertname} summary` } }] },
});

describe('firing alerts', () => {
  it('keeps the latest state of each alert: resolved ones drop out', () => {
    const alerts = firingAlerts([
      delivery('firing', 'ModelUnavailableFallbackServing', '1'),
      delivery('firing', 'GatewayLatencySLOBurn', '2'),
      delivery('resolved', 'GatewayLatencySLOBurn', '3'),
    ]);
    expect(alerts.map((a) => a.name)).toEqual(['ModelUnavailableFallbackServing']);
    expect(alerts[0]!.runbookAnchor).toBe('modelunavailablefallbackserving');
    expect(alerts[0]!.tracesUrl).toContain('tracelab.source');
    expect(firingAlerts([])).toEqual([]);
  });
});
