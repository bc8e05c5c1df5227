import { describe, expect, it } from 'vitest';
import { wilson } from './stats.js';

describe('wilson', () => {
  it('matches reference values', () => {
    // Newcombe (1998), Stat. Med. 17:857, method 3: 0/10 -> 0 to 0.2775; the others computed independently
    // with the closed form in Python: 5/20 -> (0.11186, 0.46870), 10/10 -> (0.72247, 1)
    const a = wilson(5, 20);
    expect(a.low).toBeCloseTo(0.11186, 4);
    expect(a.high).toBeCloseTo(0.4687, 4);
    const b = wilson(0, 10);
    expect(b.low).toBe(0);
    expect(b.high).toBeCloseTo(0.27753, 4);
    const c = wilson(10, 10);
    expect(c.low).toBeCloseTo(0.72247, 4);
    expect(c.high).toBe(1);
  });

  it('is symmetric, contains the rate and narrows with n', () => {
    for (const [k, n] of [
      [3, 7],
      [50, 100],
      [1, 1000],
    ] as const) {
      const w = wilson(k, n);
      const m = wilson(n - k, n);
      expect(w.low).toBeCloseTo(1 - m.high, 12);
      expect(w.low).toBeLessThanOrEqual(w.rate);
      expect(w.high).toBeGreaterThanOrEqual(w.rate);
    }
    expect(wilson(40, 400).high - wilson(40, 400).low).toBeLessThan(wilson(4, 40).high - wilson(4, 40).low);
  });

  it('gives [0, 1] for no trials and refuses impossible counts', () => {
    expect(wilson(0, 0)).toMatchObject({ low: 0, high: 1, rate: 0 });
    expect(() => wilson(3, 2)).toThrow(RangeError);
    expect(() => wilson(-1, 2)).toThrow(RangeError);
    expect(() => wilson(0.5, 2)).toThrow(RangeError);
  });
});
