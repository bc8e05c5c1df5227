import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../core/index.js';
import { AGGREGATORS, AGGREGATOR_NAMES, fedAvg, krumScores, normClipping } from './aggregators.js';

// The contract every aggregator keeps.
const rnd = seededRandom(5);
const honest = (n: number, d: number): Float32Array[] =>
  Array.from({ length: n }, () => Float32Array.from({ length: d }, () => 1 + 0.1 * (rnd() - 0.5)));
const ROBUST = new Set(['krum', 'multi_krum', 'median', 'trimmed_mean', 'bulyan']);

describe('aggregator registry', () => {
  it('has one implementation per name', () => {
    expect(AGGREGATORS.map((a) => a.name)).toEqual([...AGGREGATOR_NAMES]);
  });
});

describe.each(AGGREGATORS.map((a) => [a.name, a] as const))('aggregator contract: %s', (_n, agg) => {
  const f = 2;
  const n = Math.max(agg.minClients(f), 11);

  it('returns the common update when every client agrees', () => {
    const u = Float32Array.from([0.5, -1, 2]);
    expect(
      Array.from(
        agg.aggregate(
          Array.from({ length: n }, () => Float32Array.from(u)),
          f,
        ),
      ),
    ).toEqual(Array.from(u));
  });

  it('does not depend on the order of the clients', () => {
    const ups = honest(n, 6);
    const a = agg.aggregate(ups, f);
    const b = agg.aggregate([...ups].reverse(), f);
    for (let j = 0; j < a.length; j++) expect(a[j]).toBeCloseTo(b[j] as number, 5);
  });

  it('bounds the influence of f huge Byzantine updates as its guarantee says', () => {
    const good = honest(n - f, 6);
    const bad = Array.from({ length: f }, () => Float32Array.from({ length: 6 }, () => 1e6));
    const out = agg.aggregate([...bad, ...good], f);
    if (ROBUST.has(agg.name)) {
      for (let j = 0; j < 6; j++) {
        const col = good.map((g) => g[j] as number);
        expect(out[j]).toBeGreaterThanOrEqual(Math.min(...col) - 1e-6);
        expect(out[j]).toBeLessThanOrEqual(Math.max(...col) + 1e-6);
      }
    } else if (agg.name === 'norm_clipping') {
      const norm = Math.hypot(...out);
      expect(norm).toBeLessThanOrEqual(Math.hypot(...(good[0] as Float32Array)) * 1.2);
    } else {
      // plain averaging has no defence: one client moves the mean as far as it likes
      expect(out[0]).toBeGreaterThan(1e5);
    }
  });

  it('refuses too few clients, mismatched lengths and no updates with typed errors', () => {
    const few = agg.minClients(3) - 1;
    if (few > 0)
      expect(() => agg.aggregate(honest(few, 3), 3)).toThrow(
        expect.objectContaining({ code: 'MONITOR_INVALID_OPTION' }),
      );
    expect(() => agg.aggregate([new Float32Array(2), new Float32Array(3)], 0)).toThrow(
      expect.objectContaining({
        code: agg.minClients(0) > 2 ? 'MONITOR_INVALID_OPTION' : 'MONITOR_INVALID_OPTION',
      }),
    );
    expect(() => agg.aggregate([], 0)).toThrow(expect.objectContaining({ code: 'MONITOR_NO_DATA' }));
  });
});

describe('aggregator specifics', () => {
  it('FedAvg is the mean; Krum scores sum the n - f - 2 nearest squared distances', () => {
    expect(Array.from(fedAvg.aggregate([Float32Array.from([1, 2]), Float32Array.from([3, 6])], 0))).toEqual([
      2, 4,
    ]);
    const pts = [0, 1, 2, 10, 11].map((v) => Float32Array.from([v]));
    // n = 5, f = 1: each score sums the 2 nearest squared distances
    expect(krumScores(pts, 1)).toEqual([1 + 4, 1 + 1, 1 + 4, 1 + 64, 1 + 81]);
  });
  it('norm clipping scales only the updates longer than tau', () => {
    const out = normClipping(1).aggregate([Float32Array.from([3, 4]), Float32Array.from([0.6, 0])], 0);
    expect(out[0]).toBeCloseTo((0.6 + 0.6) / 2, 6);
    expect(out[1]).toBeCloseTo(0.8 / 2, 6);
  });
});
