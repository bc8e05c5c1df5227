import { describe, expect, it } from 'vitest';
import { GdpAccountant, gdpDelta, gdpEpsilon, gdpMu } from './gdp.js';
import { PrvAccountant } from './prv.js';

// Opacus line numbers refer to pytorch/opacus opacus/tests/accountants_test.py, the version with
// test_prv_accountant and the get_noise_multiplier tests per accountant.
describe('GDP accountant', () => {
  it('q=0.04, sigma=1.5, int(90 // 0.04) steps: 6.59 < epsilon < 6.6', () => {
    // Opacus accountants_test.py lines 52-53 (test_gdp_accountant).
    const eps = new GdpAccountant()
      .compose({ noiseMultiplier: 1.5, sampleRate: 0.04, steps: 2249 })
      .getEpsilon(1e-5);
    expect(eps).toBeGreaterThan(6.59);
    expect(eps).toBeLessThan(6.6);
  }, 240_000);

  it('composes heterogeneous phases as mu = sqrt(sum mu_i^2) and inverts delta(epsilon)', () => {
    const a = { noiseMultiplier: 1.2, sampleRate: 0.02, steps: 500 };
    const b = { noiseMultiplier: 2, sampleRate: 0.05, steps: 300 };
    expect(gdpMu([a, b]) ** 2).toBeCloseTo(gdpMu([a]) ** 2 + gdpMu([b]) ** 2, 12);
    const acc = new GdpAccountant().compose(a).compose(b);
    const eps = acc.getEpsilon(1e-6);
    expect(acc.getDelta(eps)).toBeCloseTo(1e-6, 12);
    expect(gdpDelta(eps, gdpMu([a, b]))).toBeCloseTo(1e-6, 12);
  }, 240_000);

  it('edge cases: delta already met at epsilon 0, and mu so large that no epsilon <= 500 works', () => {
    expect(gdpEpsilon(1e-9, 1e-5)).toBe(0);
    expect(gdpEpsilon(1e4, 1e-5)).toBe(Infinity);
  }, 240_000);
});

describe('PRV accountant', () => {
  it('q=0.04, sigma=1.5, int(90 // 0.04) steps, delta=1e-5 -> 6.777395712150674 (upper bound)', () => {
    // Opacus accountants_test.py line 66 (test_prv_accountant, assertAlmostEqual to 7 places).
    const spent = new PrvAccountant()
      .compose({ noiseMultiplier: 1.5, sampleRate: 0.04, steps: 2249 })
      .getPrivacySpent(1e-5);
    expect(spent.epsilon).toBeCloseTo(6.777395712150674, 7);
    expect(spent.upper).toBe(spent.epsilon);
    // eps_error = 0.01 on each side of the estimate, as Opacus's compute_epsilon.
    expect(spent.upper! - spent.estimate!).toBeCloseTo(0.01, 2);
    expect(spent.lower!).toBeLessThan(spent.estimate!);
  }, 240_000);

  it('matches the microsoft/prv_accountant values Opacus lists, well within eps_error', () => {
    // pytorch/opacus opacus/tests/prv_accountant.py lines 22-67 (msr_values, delta 1e-6; the file
    // asserts 5 places). A subset whose grids stay under a million points.
    const cases: [number, number, number, number][] = [
      [0.8, 0.001, 100, 0.270403364058018680360362395731],
      [1.5, 0.05, 100, 1.95385313568420015961635272106],
      [3.0, 0.2, 100, 3.38122051022184422208738396876],
      [0.8, 0.2, 100, 24.3336641779225644199868838768],
      [2.0, 0.05, 1000, 4.17279986668931890392286732094],
      [1.5, 0.001, 20000, 0.437005108654860807693154356457],
    ];
    for (const [sigma, q, steps, expected] of cases) {
      const eps = new PrvAccountant()
        .compose({ noiseMultiplier: sigma, sampleRate: q, steps })
        .getEpsilon(1e-6);
      expect(eps).toBeCloseTo(expected, 5);
    }
  }, 240_000);

  it('heterogeneous history: composing two phases sits between each alone and their RDP bound', () => {
    const a = { noiseMultiplier: 1.0, sampleRate: 0.02, steps: 200 };
    const b = { noiseMultiplier: 2.0, sampleRate: 0.05, steps: 100 };
    const ab = new PrvAccountant().compose(a).compose(b).getPrivacySpent(1e-5);
    const ba = new PrvAccountant().compose(b).compose(a).getPrivacySpent(1e-5);
    const onlyA = new PrvAccountant().compose(a).getEpsilon(1e-5);
    expect(ab.estimate!).toBeGreaterThan(onlyA - 0.01);
    expect(ab.estimate!).toBeCloseTo(ba.estimate!, 6);
  }, 240_000);

  it('refuses a grid beyond the size limit with a limit error', () => {
    const acc = new PrvAccountant({ maxGridSize: 1024 }).compose({
      noiseMultiplier: 1,
      sampleRate: 0.01,
      steps: 100,
    });
    expect(() => acc.getEpsilon(1e-5)).toThrow(/grid needs/);
  }, 240_000);
});
