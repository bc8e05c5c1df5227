import { describe, expect, it } from 'vitest';
import { isWardenError } from '../core/index.js';
import { RdpAccountant } from './accountants/rdp.js';
import { getNoiseMultiplier, stepsFromEpochs } from './calibrate.js';

// Opacus line numbers refer to pytorch/opacus opacus/tests/accountants_test.py (the version with the
// get_noise_multiplier test per accountant); target epsilon 8, delta 1e-5, q 0.04 in each.
const base = { targetEpsilon: 8, delta: 1e-5, sampleRate: 0.04 };

describe('getNoiseMultiplier (Opacus search)', () => {
  it('rdp, 90 epochs -> 1.416 and 2000 steps -> 1.3562', () => {
    // lines 82 and 97 (assertAlmostEqual to 4 places).
    expect(getNoiseMultiplier({ ...base, epochs: 90 })).toBeCloseTo(1.416, 4);
    expect(getNoiseMultiplier({ ...base, steps: 2000 })).toBeCloseTo(1.3562, 4);
  }, 240_000);

  it('gdp, 90 epochs -> 1.3232421875', () => {
    // line 170 (assertAlmostEqual to 7 places).
    expect(getNoiseMultiplier({ ...base, epochs: 90, accountant: 'gdp' })).toBeCloseTo(1.3232421875, 7);
  }, 240_000);

  it('prv, 90 epochs -> 1.34765625', () => {
    // line 113 (assertAlmostEqual to 4 places).
    expect(getNoiseMultiplier({ ...base, epochs: 90, accountant: 'prv' })).toBeCloseTo(1.34765625, 4);
  }, 240_000);

  it('prv, 2000 steps -> 1.2915', () => {
    // line 129 (assertAlmostEqual to 4 places).
    expect(getNoiseMultiplier({ ...base, steps: 2000, accountant: 'prv' })).toBeCloseTo(1.2915, 4);
  }, 240_000);

  it('never overshoots the target, and bisect lands closer to it', () => {
    // The property of test_get_noise_multiplier_overshoot (same file), on a few fixed points.
    for (const [eps, epochs, q, delta] of [
      [1, 10, 1e-3, 1e-5],
      [3, 50, 0.01, 1e-6],
      [9.5, 100, 0.1, 1e-4],
    ] as const) {
      const o = { targetEpsilon: eps, delta, sampleRate: q, epochs };
      const check = (sigma: number): number =>
        new RdpAccountant()
          .compose({ noiseMultiplier: sigma, sampleRate: q, steps: stepsFromEpochs(epochs, q) })
          .getEpsilon(delta);
      const coarse = check(getNoiseMultiplier(o));
      const fine = check(getNoiseMultiplier({ ...o, method: 'bisect' }));
      expect(coarse).toBeLessThanOrEqual(eps);
      expect(coarse).toBeGreaterThan(eps - 0.01);
      expect(fine).toBeLessThanOrEqual(eps);
      expect(fine).toBeGreaterThan(eps - 1e-6);
    }
  }, 240_000);

  it('steps from epochs as Opacus: int(epochs / q)', () => {
    expect(stepsFromEpochs(90, 0.04)).toBe(2250);
    expect(stepsFromEpochs(60, 256 / 60000)).toBe(14062);
  }, 240_000);

  it('typed errors for unreachable budgets and bad arguments', () => {
    const code = (f: () => unknown): string | undefined => {
      try {
        f();
      } catch (e) {
        return isWardenError(e) ? e.code : 'untyped';
      }
      return undefined;
    };
    expect(
      code(() => getNoiseMultiplier({ targetEpsilon: 1e-6, delta: 1e-10, sampleRate: 1, steps: 10 })),
    ).toBe('PRIVACY_BUDGET_UNREACHABLE');
    expect(code(() => getNoiseMultiplier({ ...base, steps: 10, epochs: 1 }))).toBe('PRIVACY_INVALID_STEPS');
    expect(code(() => getNoiseMultiplier({ ...base }))).toBe('PRIVACY_INVALID_STEPS');
    expect(code(() => getNoiseMultiplier({ ...base, targetEpsilon: 0, steps: 10 }))).toBe(
      'PRIVACY_INVALID_EPSILON',
    );
    expect(code(() => getNoiseMultiplier({ ...base, delta: 0, steps: 10 }))).toBe('PRIVACY_INVALID_DELTA');
    expect(code(() => getNoiseMultiplier({ ...base, sampleRate: 2, steps: 10 }))).toBe(
      'PRIVACY_INVALID_SAMPLE_RATE',
    );
    expect(code(() => stepsFromEpochs(1, 1e-300))).toBe('PRIVACY_INVALID_STEPS');
  }, 240_000);
});
