// The Diagnose page's pure parts: its URL parameters, where evidence links to (compare view with
// the usual trace as A), the range its query panels cover, legends; and the link a firing alert
// gets to the Diagnose page for its service.
import { describe, expect, it } from 'vitest';
import { firingAlerts } from '../../../console/web/src/model/alerts';
import { diagnoseHref, diagnoseParams, queryRange, seriesLabel, traceHref } from '../../../console/web/src/model/diagnosis';
import { parseRoute } from '../../../console/web/src/router';

const SERVICES = ['gateway', 'model-inference'];

describe('the Diagnose page', () => {
  it('reads its parameters from the URL, falling back to 5m against 30m for all services', () => {
    expect(diagnoseParams(new URLSearchParams(''), SERVICES)).toEqual({ since: '5m', baseline: '30m' });
    expect(diagnoseParams(new URLSearchParams('since=15m&baseline=1h&service=gateway'), SERVICES)).toEqual({
      since: '15m',
      baseline: '1h',
      service: 'gateway',
    });
    expect(diagnoseParams(new URLSearchParams('since=3d&baseline=x&service=nope'), SERVICES)).toEqual({ since: '5m', baseline: '30m' });
  });

  it('opens a trace pair in compare view with the usual trace as A, and a lone trace on its own', () => {
    const href = traceHref({ trace_id: 'slow1', baseline_trace_id: 'usual1' });
    expect(href).toBe('/trace/usual1/vs/slow1');
    expect(parseRoute(href, '')).toEqual({ page: 'compare', a: 'usual1', b: 'slow1' });
    expect(traceHref({ trace_id: 'lone' })).toBe('/trace/lone');
  });

  it('draws queries over the baseline and the window, about 240 points, at least 15 s apart', () => {
    const range = queryRange({
      baseline: { from: '2026-12-02T10:00:00.000Z', to: '2026-12-02T10:30:00.000Z' },
      window: { from: '2026-12-02T10:30:00.000Z', to: '2026-12-02T10:35:00.000Z' },
    });
    expect(range).toEqual({
      startS: Date.parse('2026-12-02T10:00:00Z') / 1000,
      endS: Date.parse('2026-12-02T10:35:00Z') / 1000,
      stepS: 15,
    });
    const long = queryRange({
      baseline: { from: '2026-12-02T08:00:00.000Z', to: '2026-12-02T10:00:00.000Z' },
      window: { from: '2026-12-02T10:00:00.000Z', to: '2026-12-02T11:00:00.000Z' },
    });
    expect(long.stepS).toBe(45);
  });

  it('names series by their labels, without the metric name', () => {
    expect(seriesLabel({ __name__: 'x', job: 'gateway', le: '0.5' }, 'q')).toBe('job="gateway", le="0.5"');
    expect(seriesLabel({ __name__: 'x' }, 'q')).toBe('x');
    expect(seriesLabel({}, 'sum(rate(x[5m]))')).toBe('sum(rate(x[5m]))');
  });

  it('is linked from each firing alert with the alert’s service', () => {
    const [alert] = firingAlerts([
      {
        receiver: 'default',
        receivedAt: '2026-12-02T10:00:00Z',
        payload: {
          status: 'firing',
          alerts: [{ status: 'firing', labels: { alertname: 'GatewayLatencySLOBurn', service: 'gateway' }, annotations: {} }],
        },
      },
    ]);
    expect(diagnoseHref(alert!.service)).toBe('/diagnose?service=gateway');
    expect(diagnoseHref(undefined)).toBe('/diagnose');
  });
});
