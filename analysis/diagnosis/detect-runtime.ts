// The detectors on runtime metrics: event-loop delay and utilization (cpu), heap growth per
// request served (memory), each service's window against its baseline.
import { type Candidate, confidenceOf, log2, type Periods, percent, round } from './candidates';
import { clamp01 } from './stats';
import type { MetricResult } from './types';

/** The series of a metric result by service (its `job`, else `service_name` or `service` label). */
function byService(samples: MetricResult['window']): Map<string, number> {
  const result = new Map<string, number>();
  for (const sample of samples) {
    const service = sample.labels.job ?? sample.labels.service_name ?? sample.labels.service;
    if (service && Number.isFinite(sample.value)) result.set(service, sample.value);
  }
  return result;
}

const KIB = 1024;
const MIB = 1024 * KIB;

/** cpu and memory: runtime metrics of each service, window against baseline. */
export function runtime(p: Periods): Candidate[] {
  const result: Candidate[] = [];
  const metric = (id: string) => p.metrics.find((m) => m.id === id);
  const delay = metric('eventloop_delay_p99');
  const utilization = metric('eventloop_utilization');
  const ratesW = byService(metric('server_rate')?.window ?? []);
  const ratesB = byService(metric('server_rate')?.baseline ?? []);
  for (const [service, uW] of byService(utilization?.window ?? [])) {
    const uB = byService(utilization?.baseline ?? []).get(service);
    const dW = byService(delay?.window ?? []).get(service);
    const dB = byService(delay?.baseline ?? []).get(service);
    if (uB === undefined || uW < 0.3) continue;
    // More requests alone make a loop busier: what saturation by the code shows is more busy time per request.
    const rW = ratesW.get(service);
    const rB = ratesB.get(service);
    let strength: number;
    let per = '';
    if (rW && rB && rW > 0.5 && rB > 0.5) {
      const busyW = (uW / rW) * 1000;
      const busyB = (uB / rB) * 1000;
      if (busyW < 2 * busyB || busyW - busyB < 2 || uW - uB < 0.2) continue;
      // Code that saturates the loop also delays it; a busier loop with no more delay is other load on the machine.
      if (dW !== undefined && dB !== undefined && (dW < 1.5 * dB || dW - dB < 0.01)) continue;
      strength = clamp01((log2(busyW / busyB) - 1) / 2) * clamp01((uW - 0.3) / 0.4);
      per = `, ${round(busyW)} ms of event-loop time per request (usually ${round(busyB)} ms)`;
    } else {
      if (uW < 0.7 || uW - uB < 0.3 || dW === undefined || dB === undefined || dW < 2 * dB) continue;
      strength = clamp01((uW - 0.7) / 0.25);
    }
    const lag =
      dW !== undefined && dB !== undefined ? `, event-loop delay p99 ${round(dW * 1000)} ms (usually ${round(dB * 1000)} ms)` : '';
    result.push({
      kind: 'cpu',
      service,
      confidence: confidenceOf(strength),
      impact: uW - uB,
      summary: `${service}'s CPU is saturated: event-loop utilization ${percent(uW)} (usually ${percent(uB)})${per}${lag}: synchronous work stalls every request of the process.`,
      metricIds: ['eventloop_utilization', 'eventloop_delay_p99'],
    });
  }
  const heap = metric('heap_growth');
  const rates = byService(metric('server_rate')?.window ?? []);
  for (const [service, slope] of byService(heap?.window ?? [])) {
    const usual = byService(heap?.baseline ?? []).get(service) ?? 0;
    // Garbage between collections makes a busy heap's slope swing over a short range; what a leak
    // keeps grows with each request. Per request when the request rate is known, else a high bar.
    const rate = rates.get(service);
    const perRequest = rate && rate > 0.5 ? slope / rate : undefined;
    if (slope - usual < 0.5 * slope || slope < 512 * KIB) continue;
    const strength =
      perRequest !== undefined
        ? perRequest >= 40 * KIB
          ? clamp01(log2(perRequest / (40 * KIB)) / 2.5)
          : -1
        : slope >= 2 * MIB
          ? clamp01(log2(slope / (2 * MIB)) / 2)
          : -1;
    if (strength < 0) continue;
    const per = perRequest !== undefined ? `, ${round(perRequest / KIB)} KiB per request` : '';
    result.push({
      kind: 'memory',
      service,
      confidence: confidenceOf(strength),
      impact: slope / MIB,
      summary: `${service}'s heap keeps growing: ${round(slope / MIB)} MiB/s over the window${per} (usually ${round(usual / MIB)} MiB/s): memory is kept across requests (a leak).`,
      metricIds: ['heap_growth'],
    });
  }
  return result;
}
