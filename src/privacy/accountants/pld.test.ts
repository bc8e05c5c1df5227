import { describe, expect, it } from 'vitest';
import { PldAccountant } from './pld.js';
import { composePmf, pmfDelta, pmfEpsilon, selfComposePmf, truncate, type LossPmf } from './pld-pmf.js';

describe('PLD accountant against dp_accounting', () => {
  it('Poisson-subsampled Gaussian q=0.2, sigma=0.5 composed 1 + 2 times: delta(1) = 0.15594', () => {
    // google/differential-privacy python/dp_accounting/dp_accounting/pld/pld_privacy_accountant_test.py
    // (commit 0c0e3fd, test_poisson_subsampled_gaussian: assertAlmostEqual with delta=1e-3 both ways).
    const step = { noiseMultiplier: 0.5, sampleRate: 0.2 };
    const acc = new PldAccountant().compose({ ...step, steps: 1 }).compose({ ...step, steps: 2 });
    expect(Math.abs(acc.getDelta(1) - 0.15594)).toBeLessThan(1e-3);
    expect(Math.abs(acc.getEpsilon(0.15594) - 1)).toBeLessThan(1e-3);
  }, 240_000);

  it('Gaussian sigma=sqrt(3) composed 1 + 2 times: delta(1) = 0.126936', () => {
    // Same file, test_gaussian_basic (delta=1e-3); the exact value of a Gaussian with sigma = 1.
    const step = { noiseMultiplier: Math.sqrt(3), sampleRate: 1 };
    const acc = new PldAccountant().compose({ ...step, steps: 1 }).compose({ ...step, steps: 2 });
    expect(Math.abs(acc.getDelta(1) - 0.126936)).toBeLessThan(1e-3);
    expect(Math.abs(acc.getEpsilon(0.126936) - 1)).toBeLessThan(1e-3);
  }, 240_000);

  it('TF Privacy example-level epsilons computed with dp_accounting PLD', () => {
    // tensorflow/privacy tensorflow_privacy/privacy/analysis/compute_dp_sgd_privacy_test.py lines 90
    // and 92 (assertAlmostEqual to 7 places): noise 0.7, delta 1e-5, 2 steps without subsampling and
    // 120 steps at q = 0.01.
    const eps = (q: number, steps: number): number =>
      new PldAccountant().compose({ noiseMultiplier: 0.7, sampleRate: q, steps }).getEpsilon(1e-5);
    expect(eps(1, 2)).toBeCloseTo(10.1224946, 7);
    expect(eps(0.01, 120)).toBeCloseTo(2.4612381, 7);
  }, 240_000);
});

describe('PLD pmf helpers', () => {
  it('truncation only ever moves mass up or to infinity', () => {
    const d = truncate({
      offset: -2,
      p: Float64Array.from([1e-17, 0.5, 0.5 - 2e-17, 1e-17, -1e-18]),
      inf: 0,
    });
    expect(d.offset).toBe(-1);
    expect([...d.p]).toEqual([0.5 + 1e-17, 0.5 - 2e-17]);
    expect(d.inf).toBeCloseTo(1e-17, 30);
  }, 240_000);

  it('one FFT power composes like convolution after convolution, and loses no mass', () => {
    // a lopsided 41-bin loss pmf with a small infinity atom
    const raw = Float64Array.from({ length: 41 }, (_, i) => Math.exp(-((i - 12) ** 2) / 30) * (1 + (i % 3)));
    const total = raw.reduce((a, b) => a + b, 0);
    const d: LossPmf = { offset: -15, p: raw.map((v) => (v / total) * (1 - 1e-6)), inf: 1e-6 };
    let chain = d;
    for (let k = 1; k < 37; k++) chain = composePmf(chain, d);
    const power = selfComposePmf(d, 37);
    for (const eps of [0, 0.5, 1, 2, 4])
      expect(Math.abs(pmfDelta(power, eps, 0.05) - pmfDelta(chain, eps, 0.05))).toBeLessThan(1e-12);
    expect(power.p.reduce((a, b) => a + b, 0) + power.inf).toBeGreaterThan(1 - 1e-12);
    // many steps: the Chernoff window is far narrower than the full support, the bound joins the atom
    const many = selfComposePmf(d, 5000);
    expect(many.p.length).toBeLessThan(5000 * 40);
    expect(many.inf).toBeGreaterThanOrEqual(1 - (1 - 1e-6) ** 5000);
    expect(many.p.reduce((a, b) => a + b, 0) + many.inf).toBeGreaterThan(1 - 1e-12);
  }, 240_000);

  it('delta and epsilon of a two-point loss distribution by hand', () => {
    // losses 0 and 1 (interval 1) with mass 1/2 each: delta(eps) = (1 - e^(eps - 1)) / 2 for eps < 1.
    const d = { offset: 0, p: Float64Array.from([0.5, 0.5]), inf: 0 };
    expect(pmfDelta(d, 0.5, 1)).toBeCloseTo((1 - Math.exp(-0.5)) / 2, 15);
    expect(pmfEpsilon(d, (1 - Math.exp(-0.5)) / 2, 1)).toBeCloseTo(0.5, 12);
    expect(pmfEpsilon({ ...d, inf: 0.1 }, 0.05, 1)).toBe(Infinity);
    expect(pmfEpsilon(d, 0.9, 1)).toBe(0);
  }, 240_000);
});
