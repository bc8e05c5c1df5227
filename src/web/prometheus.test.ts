import { describe, expect, it } from 'vitest';
import { GatewayMetrics } from '../gateway/index.js';
import { histogramQuantile, parsePrometheus, sumBy } from './prometheus.js';

describe('reading the gateway metrics back', () => {
  it('parses what GatewayMetrics renders, escaped labels included', () => {
    const m = new GatewayMetrics();
    m.requests.inc({ action: 'infer', status: '200' }, 3);
    m.requests.inc({ action: 'infer', status: '429' });
    m.denied.inc({ code: 'GATEWAY_RATE_LIMITED' });
    m.drift.set({ model: 'a "b"\\c', feature: 'x\ny' }, 0.25);
    const s = parsePrometheus(m.render());
    expect(sumBy(s, 'warden_gateway_requests_total', 'status')).toEqual({ '200': 3, '429': 1 });
    expect(sumBy(s, 'warden_gateway_denied_total', 'code')).toEqual({ GATEWAY_RATE_LIMITED: 1 });
    expect(s.find((x) => x.name === 'warden_gateway_drift_psi')).toEqual({
      name: 'warden_gateway_drift_psi',
      labels: { model: 'a "b"\\c', feature: 'x\ny' },
      value: 0.25,
    });
  });

  it('interpolates quantiles inside the bucket that holds them', () => {
    const m = new GatewayMetrics();
    // 100 observations spread evenly over (0, 10 ms]: the median falls at 5 ms
    for (let i = 1; i <= 100; i++) m.latency.observe({ action: 'infer' }, i / 10_000);
    const buckets = parsePrometheus(m.render())
      .filter((x) => x.name === 'warden_gateway_request_seconds_bucket')
      .map((x) => ({ le: x.labels.le === '+Inf' ? Infinity : Number(x.labels.le), count: x.value }));
    const p50 = histogramQuantile(0.5, buckets)!;
    expect(p50).toBeGreaterThan(0.0025);
    expect(p50).toBeLessThanOrEqual(0.005);
    expect(histogramQuantile(0.99, buckets)).toBeLessThanOrEqual(0.01);
    expect(histogramQuantile(0.5, [])).toBeNull();
    // past the last finite bound, the answer is that bound
    expect(
      histogramQuantile(0.99, [
        { le: 1, count: 1 },
        { le: Infinity, count: 100 },
      ]),
    ).toBe(1);
  });
});
