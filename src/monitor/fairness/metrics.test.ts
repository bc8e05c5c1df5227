import { describe, expect, it } from 'vitest';
import { parseTable } from '../../core/index.js';
import { fairnessInputFromTable } from './input.js';
import { fairnessMetrics, generalizedEntropyIndex, wilsonInterval, type FairnessInput } from './metrics.js';

const input = (yTrue: number[], yPred: number[], groups: (string | number)[]): FairnessInput => ({
  yTrue: Uint8Array.from(yTrue),
  yPred: Uint8Array.from(yPred),
  groups: groups.map(String),
});

describe('Fairlearn values', () => {
  // fairlearn/fairlearn docs/user_guide/assessment/common_fairness_metrics.rst (doctests
  // common_fairness_metrics_code): 0.25, 0.66666..., 1.0, 0.0
  const x = input(
    [0, 1, 1, 1, 1, 0, 1, 0, 1, 0, 0, 0, 1, 1, 1, 1, 1, 1],
    [0, 0, 1, 0, 1, 1, 1, 0, 0, 1, 1, 1, 1, 0, 0, 1, 1, 0],
    [...'bbabbcccaacabccbcc'],
  );
  const r = fairnessMetrics(x, { bootstrap: 0 });
  it('demographic parity difference and ratio', () => {
    expect(r.metrics.demographic_parity_difference).toBeCloseTo(0.25, 12);
    expect(r.metrics.demographic_parity_ratio).toBeCloseTo(2 / 3, 12);
  });
  it('equalized odds difference and ratio', () => {
    expect(r.metrics.equalized_odds_difference).toBe(1);
    expect(r.metrics.equalized_odds_ratio).toBe(0);
  });
  it('per-group rates carry Wilson intervals that contain them', () => {
    for (const g of Object.values(r.groups)) {
      const [lo, hi] = g.intervals.selection_rate as [number, number];
      expect(lo).toBeLessThanOrEqual(g.selection_rate);
      expect(hi).toBeGreaterThanOrEqual(g.selection_rate);
    }
    expect(Object.keys(r.groups)).toEqual(['a', 'b', 'c']);
  });
});

describe('AIF360 values', () => {
  // Trusted-AI/AIF360 tests/test_classification_metric.py: test_generalized_entropy_index (0.2, 0.3),
  // test_theil_index (4 ln 2 / 10), test_between_all_groups (1/20 * sum(b^2 - 1))
  const feat = [0, 0, 1, 1, 1, 1, 2, 2, 2, 2];
  const label = [1, 0, 0, 1, 0, 0, 1, 0, 1, 1];
  const pred = [...label];
  pred[3] = 0;
  pred[9] = 0;
  pred[4] = 1;
  pred[5] = 1;
  it('generalized entropy index and Theil index', () => {
    const r = fairnessMetrics(input(label, pred, feat), { bootstrap: 0 });
    expect(r.metrics.generalized_entropy_index).toBeCloseTo(0.2, 14);
    expect(r.metrics.theil_index).toBeCloseTo((4 * Math.log(2)) / 10, 14);
    const b = [1, 1, 1.25, 1.25, 1.25, 1.25, 0.75, 0.75, 0.75, 0.75];
    expect(r.metrics.between_all_groups_generalized_entropy_index).toBeCloseTo(
      (1 / 20) * b.reduce((s, v) => s + v * v - 1, 0),
      14,
    );
    const r2 = fairnessMetrics(input(label, [0, 1, 1, 0, 0, 0, 0, 1, 1, 1], feat), { bootstrap: 0 });
    expect(r2.metrics.generalized_entropy_index).toBeCloseTo(0.3, 14);
  });
  it('signed metrics against a privileged group (multiclass favourable {0,1} vs unfavourable 2 as binary)', () => {
    // test_multiclass_confusion_matrix: false_negative_rate_difference == -0.2 with unprivileged feat 2;
    // favourable labels 0 and 1 become 1 here, 2 becomes 0.
    const lab = [1, 0, 0, 1, 0, 2, 1, 0, 2, 1].map((v) => (v === 2 ? 0 : 1));
    const prd = [1, 0, 0, 0, 2, 2, 1, 0, 2, 1].map((v) => (v === 2 ? 0 : 1));
    const groups = [0, 0, 1, 1, 1, 1, 2, 2, 2, 2].map((g) => (g === 2 ? 'u' : 'p'));
    const r = fairnessMetrics(input(lab, prd, groups), { privileged: 'p', bootstrap: 0 });
    // FNR difference = -(TPR difference)
    expect(-(r.metrics.true_positive_rate_difference as number)).toBeCloseTo(-0.2, 14);
  });
  it('GEI with alpha 0 and 1 follows the formulas AIF360 uses', () => {
    expect(generalizedEntropyIndex([1, 1, 1], 0)).toBeCloseTo(0, 14);
    expect(generalizedEntropyIndex([0, 2], 1)).toBeCloseTo(Math.log(2), 14);
  });
});

describe('intervals and inputs', () => {
  it('Wilson interval matches the closed form (k = 8 of n = 10 at 95%)', () => {
    const [lo, hi] = wilsonInterval(8, 10);
    expect(lo).toBeCloseTo(0.4901624, 6);
    expect(hi).toBeCloseTo(0.9433178, 6);
  });
  it('bootstrap intervals are seeded and bracket the point estimate', () => {
    const x = input(
      Array.from({ length: 200 }, (_, i) => i % 2),
      Array.from({ length: 200 }, (_, i) => (i % 3 === 0 ? 1 : i % 2)),
      Array.from({ length: 200 }, (_, i) => (i < 120 ? 'a' : 'b')),
    );
    const a = fairnessMetrics(x, { seed: 1, bootstrap: 200 });
    expect(fairnessMetrics(x, { seed: 1, bootstrap: 200 }).intervals).toEqual(a.intervals);
    const [lo, hi] = a.intervals.demographic_parity_difference as [number, number];
    expect(lo).toBeLessThanOrEqual(a.metrics.demographic_parity_difference as number);
    expect(hi).toBeGreaterThanOrEqual(a.metrics.demographic_parity_difference as number);
  });
  it('reads yes/no columns and refuses ambiguous or missing outcomes', async () => {
    const t = await parseTable('y,p,g\nyes,no,a\nno,no,b\nyes,yes,b\n', 'csv');
    const x = fairnessInputFromTable(t, { label: 'y', prediction: 'p', sensitive: 'g' });
    expect([...x.yTrue]).toEqual([1, 0, 1]);
    const bad = await parseTable('y,p,g\ncat,dog,a\ndog,dog,b\n', 'csv');
    expect(() => fairnessInputFromTable(bad, { label: 'y', prediction: 'p', sensitive: 'g' })).toThrow(
      /--pos-label/,
    );
    expect(
      fairnessInputFromTable(bad, { label: 'y', prediction: 'p', sensitive: 'g', posLabel: 'cat' }).yTrue[0],
    ).toBe(1);
    const gap = await parseTable('y,p,g\n1,0,\n', 'csv');
    expect(() => fairnessInputFromTable(gap, { label: 'y', prediction: 'p', sensitive: 'g' })).toThrow(
      /missing values/,
    );
  });
});
