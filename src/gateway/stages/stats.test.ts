import { describe, expect, it } from 'vitest';
import {
  SortedWindow,
  binShares,
  ksTwoSample,
  psi,
  quantileEdges,
  shapiroW,
  shapiroWSorted,
} from './stats.js';
import { normPpf, seededRandom } from '../../core/index.js';

describe('stats', () => {
  it('normPpf inverts the normal CDF', () => {
    expect(normPpf(0.5)).toBeCloseTo(0, 9);
    expect(normPpf(0.975)).toBeCloseTo(1.959963985, 7);
    expect(normPpf(0.001)).toBeCloseTo(-3.090232306, 7);
  });

  it('shapiroW matches SciPy 1.17 stats.shapiro', () => {
    // reference values printed by scipy.stats.shapiro(...).statistic for these samples
    expect(shapiroW([0.3, 1.2, 2.2, 2.9, 3.1, 4.8, 5.0, 5.5, 7.1, 9.9, 12.0, 0.2])).toBeCloseTo(
      0.927159497775479,
      5,
    );
    expect(shapiroW(Array.from({ length: 20 }, (_, i) => i + 1))).toBeCloseTo(0.9603751832429884, 5);
    expect(shapiroW([1, 1, 1, 1, 2, 2, 2, 30, 31, 35])).toBeCloseTo(0.6447190624463982, 5);
    expect(shapiroW([0.1, 0.5, 0.9])).toBeCloseTo(1, 6);
    expect(shapiroW([1.0, 2.5, 2.7, 3.9, 8.0])).toBeCloseTo(0.8822403612330204, 5);
    expect(shapiroW([2, 2, 2, 2])).toBe(1);
  });

  it('ksTwoSample: same sample p=1, shifted sample p tiny', () => {
    const a = Array.from({ length: 200 }, (_, i) => Math.sin(i) * 3);
    expect(ksTwoSample(a, a)).toEqual({ d: 0, p: 1 });
    const r = ksTwoSample(
      a,
      a.map((v) => v + 2),
    );
    expect(r.d).toBeGreaterThan(0.2);
    expect(r.p).toBeLessThan(1e-6);
  });

  it('psi is ~0 for the reference and large for a shifted sample', () => {
    const ref = Array.from({ length: 1000 }, (_, i) => ((i * 7919) % 1000) / 1000);
    const edges = quantileEdges(ref, 10);
    const base = binShares(ref, edges);
    expect(base.every((s) => Math.abs(s - 0.1) < 0.01)).toBe(true);
    expect(psi(base, binShares(ref, edges))).toBeCloseTo(0, 9);
    expect(
      psi(
        base,
        binShares(
          ref.map((v) => v * 0.5),
          edges,
        ),
      ),
    ).toBeGreaterThan(0.5);
  });
});

describe('SortedWindow', () => {
  it('holds the last values in ascending order, and W over it equals shapiroW over the same window', () => {
    const rand = seededRandom(5);
    for (const capacity of [1, 3, 17, 500]) {
      const w = new SortedWindow(capacity);
      const all: number[] = [];
      for (let k = 0; k < 3 * capacity + 40; k++) {
        // ties are common in real distances (repeated queries give 0)
        const v = rand() < 0.2 ? 0 : Math.round(rand() * 50) / 10;
        w.push(v);
        all.push(v);
        const last = all.slice(-capacity);
        expect(Array.from(w.ascending())).toEqual([...last].sort((a, b) => a - b));
        if (last.length >= 3) expect(shapiroWSorted(w.ascending())).toBe(shapiroW(last));
      }
    }
  });
});
