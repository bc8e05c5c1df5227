import { describe, expect, it } from 'vitest';
import { SecureRandom } from '../../core/index.js';
import { auc, rocCurve, rocMetrics, withIntervals } from './metrics.js';

const f = (...v: number[]) => Float64Array.from(v);

describe('membership metrics', () => {
  it('AUC is the Mann-Whitney statistic with ties at one half', () => {
    expect(auc(f(3, 4), f(1, 2))).toBe(1);
    expect(auc(f(1, 2), f(3, 4))).toBe(0);
    // pairs (in, out): (2,1) win, (2,3) loss, (2,2) tie, (4,*) wins -> (1 + 0 + 0.5 + 3) / 6
    expect(auc(f(2, 4), f(1, 3, 2))).toBeCloseTo(4.5 / 6, 15);
  });

  it('balanced accuracy picks the best threshold; TPR at low FPR counts only members above every allowed false positive', () => {
    const members = f(10, 9, 8, 0.5);
    const non = Float64Array.from({ length: 100 }, (_, k) => k / 100);
    const m = rocMetrics(members, non);
    // threshold between 0.99 and 8: TPR 3/4, FPR 0 -> (0.75 + 1) / 2
    expect(m.balancedAccuracy).toBeCloseTo(0.875, 15);
    expect(m.tprAt1).toBe(0.75);
    expect(m.tprAt01).toBe(0.75);
    // with a non-member scoring 9.5, 0.1% FPR (0 allowed of 101) leaves only the 10
    const m2 = rocMetrics(members, Float64Array.from([...non, 9.5]));
    expect(m2.tprAt01).toBe(0.25);
    expect(m2.tprAt1).toBe(0.75); // one false positive allowed: threshold at 0.99
  });

  it('indistinguishable scores give AUC near 1/2 with an interval that covers it; intervals are seeded', () => {
    const r = new SecureRandom('x');
    const a = new Float64Array(800);
    const b = new Float64Array(800);
    r.fillUniform(a);
    r.fillUniform(b);
    const ci = withIntervals(a, b, 200, 1);
    expect(ci.auc.lo).toBeLessThan(0.5);
    expect(ci.auc.hi).toBeGreaterThan(0.5);
    expect(ci.auc.lo).toBeLessThanOrEqual(ci.auc.value);
    expect(withIntervals(a, b, 200, 1)).toEqual(ci);
    expect(ci.tprAt01.value).toBeLessThan(0.02);
  });

  it('rocCurve agrees with the TPR operating points and rises from (0, 0) to (1, 1)', () => {
    const rng = new SecureRandom('roc');
    const a = Float64Array.from({ length: 400 }, () => rng.uniform() + 0.3);
    const b = Float64Array.from({ length: 400 }, () => rng.uniform());
    const c = rocCurve(a, b);
    const m = rocMetrics(a, b);
    expect(c.fpr[0]).toBe(0);
    expect(c.fpr.at(-1)).toBeCloseTo(1, 12);
    expect(c.tpr.at(-1)).toBe(1);
    expect(c.tpr[c.fpr.findIndex((f) => Math.abs(f - 0.01) < 1e-12)]).toBe(m.tprAt1);
    expect(c.tpr[1]).toBe(m.tprAt01);
    for (let i = 1; i < c.tpr.length; i++) expect(c.tpr[i]!).toBeGreaterThanOrEqual(c.tpr[i - 1]!);
  });
});
