import { describe, expect, it } from 'vitest';
import { edgeLabel, edgeStats, layoutServiceMap, messagingFlows } from '../../../console/web/src/model/serviceMap';

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

  it('draws a broker hop from producer and consumer span metrics: sender → destination → receiver, dashed and apart from the calls', () => {
    const flow = (service: string, kind: string, value: string, destination = 'orders') => ({
      metric: { service_name: service, span_kind: kind, messaging_system: 'kafka', messaging_destination_name: destination },
      value: [0, value] as [number, string],
    });
    const flows = messagingFlows(
      [
        flow('shop', 'SPAN_KIND_PRODUCER', '120.4'),
        flow('billing', 'SPAN_KIND_CONSUMER', '12'),
        flow('shop', 'SPAN_KIND_PRODUCER', '0.2', 'quiet'), // under one span in the hour: not drawn
        { metric: { service_name: 'shop', span_kind: 'SPAN_KIND_CLIENT', messaging_destination_name: 'orders' }, value: [0, '5'] },
      ],
      [flow('shop', 'SPAN_KIND_PRODUCER', '2'), flow('billing', 'SPAN_KIND_CONSUMER', '0.2')],
      [flow('billing', 'SPAN_KIND_CONSUMER', '0.05')],
      [flow('shop', 'SPAN_KIND_PRODUCER', '4.2'), flow('billing', 'SPAN_KIND_CONSUMER', '90')],
    );
    expect(flows).toEqual([
      {
        service: 'shop',
        role: 'producer',
        system: 'kafka',
        destination: 'orders',
        count: 120,
        stats: { ratePerS: 2, errorRatio: 0, p99Ms: 4.2 },
      },
      {
        service: 'billing',
        role: 'consumer',
        system: 'kafka',
        destination: 'orders',
        count: 12,
        stats: { ratePerS: 0.2, errorRatio: 0.25, p99Ms: 90 },
      },
    ]);
    const map = layoutServiceMap([{ parent: 'shop', child: 'stock', callCount: 4 }], new Map(), flows);
    const broker = map.nodes.find((n) => n.broker)!;
    expect(broker.name).toBe('kafka orders');
    expect(
      map.nodes
        .filter((n) => !n.broker)
        .map((n) => n.name)
        .sort(),
    ).toEqual(['billing', 'shop', 'stock']);
    const x = Object.fromEntries(map.nodes.map((n) => [n.name, n.x]));
    expect(x.shop).toBeLessThan(broker.x);
    expect(broker.x).toBeLessThan(x.billing!);
    expect(map.edges.map((e) => [`${e.from}->${e.to}`, e.async, e.callCount, e.label])).toEqual([
      ['shop->stock', false, 4, 'no recent traffic'],
      ['shop->kafka orders', true, 120, '2.00 sends/s · 0.0 % errors · p99 4.2 ms'],
      ['kafka orders->billing', true, 12, '0.20 receives/s · 25 % errors · p99 90 ms'],
    ]);
  });
});
