import { describe, expect, it } from 'vitest';
import { edgeLabel, edgeStats, layoutServiceMap } from '../../../console/web/src/model/serviceMap';

const sample = (service: string, peer: string, value: string) => ({
  metric: { service_name: service, peer_service: peer },
  value: [0, value] as [number, string],
});

describe('service map', () => {
  it('labels each edge with rate, error share and p99 from the caller’s client spans', () => {
    const stats = edgeStats(
      [sample('gateway', 'model-inference', '4'), sample('gateway', 'fallback-rules', '0.5')],
      [sample('gateway', 'model-inference', '1')],
      [sample('gateway', 'model-inference', '182.5'), sample('gateway', 'fallback-rules', 'NaN')],
    );
    expect(stats.get('gateway→model-inference')).toEqual({ ratePerS: 4, errorRatio: 0.25, p99Ms: 182.5 });
    expect(edgeLabel(stats.get('gateway→model-inference'))).toBe('4.00 req/s · 25 % errors · p99 183 ms');
    expect(edgeLabel(stats.get('gateway→fallback-rules'))).toBe('0.50 req/s · 0.0 % errors · p99 –');
    expect(edgeLabel(undefined)).toBe('no recent traffic');
  });

  it('lays the callers out left of the services they call', () => {
    const map = layoutServiceMap(
      [
        { parent: 'gateway', child: 'model-inference', callCount: 10 },
        { parent: 'gateway', child: 'fallback-rules', callCount: 3 },
        { parent: 'gateway', child: 'gateway', callCount: 1 },
      ],
      new Map(),
    );
    const x = Object.fromEntries(map.nodes.map((n) => [n.name, n.x]));
    expect(x.gateway).toBeLessThan(x['model-inference']!);
    expect(x.gateway).toBeLessThan(x['fallback-rules']!);
    expect(map.edges.map((e) => `${e.from}->${e.to}`).sort()).toEqual(['gateway->fallback-rules', 'gateway->model-inference']);
    for (const edge of map.edges) expect(edge.points.length).toBeGreaterThanOrEqual(2);
    expect(map.width).toBeGreaterThan(0);
  });
});
