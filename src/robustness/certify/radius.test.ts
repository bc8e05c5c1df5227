import { describe, expect, it } from 'vitest';
import { certifiedRadius } from './radius.js';
import { betaInc, normCdf, normPpf } from '../../core/index.js';

// Reference values computed for this test with SciPy 1.17 (scipy.stats.beta.ppf(alpha, nA, n - nA + 1) and
// sigma * scipy.stats.norm.ppf(pA)), i.e. the formula of Cohen et al. 2019 as their `certify` code applies it
// through statsmodels' proportion_confint(nA, n, alpha=2*alpha, method="beta"). Self-computed, not a peer's.
const CASES: [number, number, number, number, number, number | null][] = [
  [100000, 99000, 0.001, 0.25, 0.9889893403774748, 0.5724999888034416],
  [100000, 100000, 0.001, 0.5, 0.9999309248330094, 1.9057282816949572],
  [1000, 600, 0.001, 0.25, 0.5510754739370525, 0.0320947490763824],
  [100, 50, 0.001, 0.12, 0.34479800642531777, null],
  [100000, 50500, 0.001, 1.0, 0.5001089517395879, 0.0002731015144161545],
  [10, 10, 0.05, 0.25, 0.7411344491069477, 0.1617116992452836],
  [100000, 99999, 1e-6, 0.5, 0.9998331288821866, 1.7937974667264154],
];

describe('randomized-smoothing certificate', () => {
  it.each(CASES)('n=%i nA=%i alpha=%s sigma=%s', (n, nA, alpha, sigma, p, r) => {
    const c = certifiedRadius(n, nA, alpha, sigma);
    expect(Math.abs(c.pALower - p)).toBeLessThan(1e-9);
    if (r === null) expect(c.radius).toBeNull();
    else expect(Math.abs((c.radius ?? NaN) - r)).toBeLessThan(1e-9);
  });

  it('rejects invalid parameters', () => {
    expect(() => certifiedRadius(0, 0, 0.001, 0.25)).toThrow(/n must/);
    expect(() => certifiedRadius(10, 11, 0.001, 0.25)).toThrow(/nA/);
    expect(() => certifiedRadius(10, 5, 0, 0.25)).toThrow(/alpha/);
    expect(() => certifiedRadius(10, 5, 0.01, -1)).toThrow(/sigma/);
    expect(() => certifiedRadius(10, 5, 0.01, NaN)).toThrow(/sigma/);
  });

  it('inverts the normal CDF and agrees with known values', () => {
    for (const p of [1e-12, 1e-6, 0.01, 0.3, 0.5, 0.9, 0.999999])
      expect(Math.abs(normCdf(normPpf(p)) - p) / p).toBeLessThan(1e-12);
    expect(normCdf(1.959963984540054)).toBeCloseTo(0.975, 14);
    expect(betaInc(0.5, 2, 2)).toBeCloseTo(0.5, 14);
  });
});
