import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../core/index.js';
import { DriftMonitor } from './drift.js';

const rows = (n: number, size: number, f: (r: () => number) => number, seed: number) => {
  const rand = seededRandom(seed);
  return Float32Array.from({ length: n * size }, () => f(rand));
};

describe('DriftMonitor', () => {
  it('stays quiet on traffic like the reference and alarms once on a shift (tabular columns)', () => {
    const m = new DriftMonitor(
      rows(1000, 3, (r) => r(), 1),
      3,
      { window: 300, every: 100 },
    );
    const same = rows(300, 3, (r) => r(), 2);
    const quiet = m.observe(same, 300);
    expect(quiet?.drifted).toBe(false);
    expect(quiet?.features.map((f) => f.feature)).toEqual(['x0', 'x1', 'x2']);
    const shifted = rows(300, 3, (r) => r() * 0.5 + 0.5, 3);
    const loud = m.observe(shifted, 300);
    expect(loud?.drifted).toBe(true);
    expect(Math.max(...loud!.features.map((f) => f.psi))).toBeGreaterThan(0.25);
    expect(m.observe(shifted, 100)?.raised).toBe(false); // already on: raised only once
  });

  it('summarises wide rows by mean and std', () => {
    const m = new DriftMonitor(
      rows(200, 100, (r) => r(), 4),
      100,
      { window: 100, every: 100 },
    );
    const darker = m.observe(
      rows(100, 100, (r) => r() * 0.3, 5),
      100,
    );
    expect(darker?.features.map((f) => f.feature)).toEqual(['mean', 'std']);
    expect(darker?.raised).toBe(true);
  });
});
