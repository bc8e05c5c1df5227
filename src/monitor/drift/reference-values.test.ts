import { describe, expect, it } from 'vitest';
import { getDriftTest } from './registry.js';
import { ks2samp } from './tests/ks.js';
import { andersonKsamp, mannWhitneyU } from './tests/rank.js';
import { eppsSingleton } from './tests/parametric.js';
import { energyDistance, wasserstein } from './tests/distance.js';
import type { DriftColumn, DriftTestName, DriftTestOptions } from './types.js';

// Numbers asserted by the reference projects' own test suites, reproduced here. Sources:
//   EV = evidentlyai/evidently tests/stattests/test_stattests.py (commit 05d85bbb), by test function
//   NM = NannyML/nannyml tests/drift/test_univariate_drift_methods.py (commit 8172b0ab), by test function
//   SP = scipy/scipy scipy/stats/tests/test_stats.py, test_morestats.py, test_hypotests.py (v1.17.1), by line

const repeat = <T>(values: T[], counts: number[]): T[] =>
  values.flatMap((v, i) => Array<T>(counts[i] ?? 0).fill(v));
const num = (reference: number[], current: number[]): DriftColumn => ({
  kind: 'numerical',
  reference: Float64Array.from(reference),
  current: Float64Array.from(current),
});
const cat = (reference: string[], current: string[]): DriftColumn => ({
  kind: 'categorical',
  reference,
  current,
});
/** pytest's approx(expected, abs=tol) */
const within = (actual: number | null, expected: number, tol: number): void =>
  expect(Math.abs((actual ?? NaN) - expected)).toBeLessThanOrEqual(tol);
const run = (name: DriftTestName, col: DriftColumn, options?: DriftTestOptions) =>
  getDriftTest(name).run(col, options);

const dice = [1, 2, 3, 4, 5, 6];
const refDice = repeat(dice, [16, 18, 16, 14, 12, 12]);
const curDice = repeat(dice, [16, 16, 16, 16, 16, 8]);
const t1 = [38.7, 41.5, 43.8, 44.5, 45.5, 46.0, 47.7, 58.0];
const t2 = [39.2, 39.3, 39.7, 41.4, 41.8, 42.9, 43.3, 45.8];

describe('Evidently stattest values', () => {
  it('chi-square and Hellinger on dice counts (EV test_freq_obs_eq_freq_exp, test_freq_obs_not_eq_freq_exp)', () => {
    const asCat = cat(refDice.map(String), curDice.map(String));
    const chi = run('chisquare', asCat, { threshold: 0.5 });
    within(chi.pValue, 0.67309, 1e-5);
    expect(chi.drift).toBe(false);
    within(run('hellinger', asCat).statistic, 0.06812, 1e-5);
    const doubled = cat(repeat(dice, [32, 36, 32, 28, 24, 24]).map(String), curDice.map(String));
    within(run('chisquare', doubled).pValue, 0.67309, 1e-5);
    within(run('hellinger', doubled).statistic, 0.06812, 1e-5);
  });

  it('identical samples give p = 1 and distance 0 (EV test_cat_feature_with_nans, test_num_features, test_chi_stat_test_cat_feature, test_hellinger_distance)', () => {
    const ab = repeat(['a', 'b'], [10, 10]);
    expect(run('chisquare', cat(ab, ab)).pValue).toBeCloseTo(1, 5);
    expect(run('hellinger', cat(ab, ab)).statistic).toBeCloseTo(0, 5);
    expect(run('hellinger', num(t1, t1)).statistic).toBeCloseTo(0, 5);
    const ones = Array<number>(50).fill(1);
    expect(run('hellinger', num(ones, ones)).statistic).toBeCloseTo(0, 3);
    expect(run('hellinger', cat(ones.map(String), ones.map(String))).statistic).toBeCloseTo(0, 3);
    const abc = repeat(['a', 'b', 'c'], [10, 10, 10]);
    expect(run('chisquare', cat(abc, abc)).pValue).toBeCloseTo(1, 5);
  });

  it('z-test on a balanced binary column (EV test_z_stat_test_cat_feature, first case)', () => {
    const ab = Array.from({ length: 20 }, (_, i) => (i % 2 ? 'b' : 'a'));
    const r = run('z', cat(ab, ab), { threshold: 0.5 });
    expect(r.pValue).toBeCloseTo(1, 5);
    expect(r.drift).toBe(false);
  });

  it('Anderson-Darling (EV test_anderson_darling)', () => {
    expect(run('anderson', num(t1, t2)).pValue).toBeCloseTo(0.0635, 3);
  });

  it('G-test (EV test_g_test)', () => {
    const r = run('g_test', cat(repeat(['a', 'b', 'c'], [5, 5, 8]), repeat(['a', 'b', 'c'], [4, 6, 8])), {
      threshold: 0.5,
    });
    expect(Math.abs((r.pValue as number) - 0.8176)).toBeLessThan(1e-3);
    expect(r.drift).toBe(false);
  });

  it('Fisher exact (EV test_pvalue_fisher_exact)', () => {
    const cases: [string[], string[], number, boolean][] = [
      [[...'abbaab'.repeat(15)], [...'bbabba'.repeat(15)], 0.033, true],
      [[...'abbaab'], [...'aaaaaa'], 0.181, false],
      [[...'aaaaaa'], [...'aaaaaa'], 1.0, false],
      [[...'abbbab'], [...'bbbaba'], 1.0, false],
      [[...'aaaaaa'], [...'bbbbbb'], 0.0021, true],
      [[...'aaabb'.repeat(30)], [...'bbbaa'.repeat(30)], 0.00078, true],
    ];
    for (const [ref, cur, p, drift] of cases) {
      const r = run('fisher_exact', cat(ref, cur));
      expect(Math.abs((r.pValue as number) - p)).toBeLessThan(1e-3);
      expect(r.drift).toBe(drift);
    }
  });

  it('Mann-Whitney with Evidently\'s alternative="less" (EV test_mann_whitney)', () => {
    const r = run('mannwhitney', num(refDice, curDice), { alternative: 'less' });
    expect(Math.abs((r.pValue as number) - 0.481)).toBeLessThan(1e-2);
    expect(r.drift).toBe(false);
  });

  it('energy distance (EV test_energy_distance)', () => {
    expect(run('energy', num(t1, t1)).statistic).toBeCloseTo(0, 5);
    const shifted = run(
      'energy',
      num(
        t1,
        t1.map((v) => v + 5),
      ),
    );
    expect(Math.abs(shifted.statistic - 1.9)).toBeLessThan(0.1);
    expect(shifted.drift).toBe(true);
  });

  it('Epps-Singleton (EV test_epps_singleton)', () => {
    const r = run('epps_singleton', num(refDice, curDice));
    expect(Math.abs((r.pValue as number) - 0.81)).toBeLessThan(1e-2);
    expect(r.drift).toBe(false);
  });

  it("Student's t-test as Evidently runs it (EV test_t_test)", () => {
    const r = run('t_test', num(t1, t2), { equalVar: true });
    expect(r.pValue).toBeCloseTo(0.084, 3);
    expect(r.drift).toBe(false);
  });

  it('MMD permutation p-values at the ends of the scale (EV test_empirical_mmd, deterministic cases)', () => {
    const ones = Array<number>(25).fill(1);
    const zeros = Array<number>(25).fill(0);
    const apart = run('mmd', num(ones, zeros));
    expect(apart.pValue).toBe(0);
    expect(apart.drift).toBe(true);
    const same = run('mmd', num(ones, ones));
    expect(same.pValue).toBe(1);
    expect(same.drift).toBe(false);
    // [1,0,1,0,1]*5 against itself: Evidently asserts 0.955 +- 0.01. With two distinct values most permuted
    // MMDs tie the observed one exactly, and which ties count as ">=" depends on floating-point summation
    // order (NumPy's vs ours), so only the verdict and a high p-value are comparable here.
    const alt = [1, 0, 1, 0, 1].flatMap((v) => Array<number>(5).fill(v));
    const r = run('mmd', num(alt, alt), { permutations: 1000 });
    expect(r.pValue).toBeGreaterThan(0.5);
    expect(r.drift).toBe(false);
  });
});

describe('NannyML L-infinity values', () => {
  const ref = [...'aabbcc'];
  it('new category, no change, total change (NM test_l_infinity_for_new_category / _no_change / _total_change)', () => {
    expect(run('linf', cat(ref, [...'aabbccd'])).statistic).toBeCloseTo(0.14, 2);
    expect(run('linf', cat(ref, ref)).statistic).toBeCloseTo(0, 2);
    expect(run('linf', cat(ref, [...'bbbbb'])).statistic).toBeCloseTo(0.67, 2);
  });
});

describe('SciPy values', () => {
  const close6 = (a: number, b: number): void => expect(Math.abs(a - b)).toBeLessThan(1.5e-6);
  const linspace = (a: number, b: number, n: number): number[] =>
    Array.from({ length: n }, (_, i) => (i === n - 1 ? b : a + i * ((b - a) / (n - 1))));

  it('ks_2samp two-sided exact (SP test_stats.py:4777 testTwoVsFour, :4789 test100_100, :4799 test100_110, :4811 testRepeatedValues)', () => {
    const d1 = [1.0, 2.0];
    const d2 = [1, 2, 3, 4];
    close6(
      ks2samp(
        d1.map((v) => v + 0.01),
        d2,
      ).pValue,
      14 / 15,
    );
    close6(
      ks2samp(
        d1.map((v) => v - 0.01),
        d2,
      ).pValue,
      6 / 15,
    );
    const x100 = linspace(1, 100, 100);
    close6(
      ks2samp(
        x100,
        x100.map((v) => v + 2.1),
      ).pValue,
      0.9999999999962055,
    );
    const x110 = linspace(1, 100, 110);
    const r1 = ks2samp(
      x100,
      x110.map((v) => v + 20.1),
    );
    close6(r1.statistic, 232 / 1100);
    close6(r1.pValue, 0.015739183865607353);
    close6(
      ks2samp(
        x100,
        x110.map((v) => v + 19.9),
      ).pValue,
      0.017803803861026313,
    );
    const x2233 = repeat([2, 3, 5, 6], [3, 4, 5, 4]);
    close6(
      ks2samp(
        x2233,
        x2233.map((v) => v + 1),
      ).pValue,
      0.4262934613454952,
    );
    const x2356 = repeat([2, 3, 5, 6], [3, 4, 10, 4]);
    const x3467 = repeat([3, 4, 6, 7], [10, 2, 10, 4]);
    const r2 = ks2samp(x2356, x3467);
    close6(r2.statistic, 190 / 21 / 26);
    close6(r2.pValue, 0.0919245790168125);
  });

  it('ks_2samp 10000 vs 110 exact, and 10000 vs 11000 through the asymptotic kstwo (SP test_stats.py:4894 testLarge, :4943 testLargeBoth)', () => {
    const delta = 1 / 10000 / 110 / 2 / 2;
    const x = linspace(1, 200, 10000).map((v) => v - delta);
    const r = ks2samp(x, linspace(2, 100, 110));
    close6(r.statistic, 55275 / 110000);
    // SciPy asserts 4.2188474935755949e-15 to 6 decimals only; SciPy 1.17.1 itself returns 6.263465662260858e-26
    expect(r.pValue / 6.263465662260858e-26).toBeCloseTo(1, 9);
    const delta2 = 1 / 10000 / 11000 / 2 / 2;
    const x2 = linspace(1, 200, 10000).map((v) => v - delta2);
    const y2 = linspace(2, 200, 11000);
    const auto = ks2samp(x2, y2);
    expect(auto.method).toBe('asymp');
    close6(auto.pValue, 0.9990660108966576);
    close6(ks2samp(x2, y2, 'exact').pValue, 0.9990456491488628);
  });

  it('anderson_ksamp midrank on the Scholz-Stephens example (SP test_morestats.py:503 test_example1b)', () => {
    const t3 = [34.0, 35.0, 39.0, 40.0, 43.0, 43.0, 44.0, 45.0];
    const t4 = [34.0, 34.8, 34.8, 35.4, 37.2, 37.8, 41.2, 42.8];
    const r = andersonKsamp([t1, t2, t3, t4]);
    expect(r.statistic).toBeCloseTo(4.48, 3);
    expect(r.critical.slice(0, 5).map((c) => Number(c.toFixed(4)))).toEqual([
      0.4985, 1.3237, 1.9158, 2.493, 3.2459,
    ]);
    expect(Math.abs(r.pValue - 0.002)).toBeLessThan(0.00025);
  });

  it('mannwhitneyu exact and asymptotic (SP test_hypotests.py:302 cases_basic, :588 cases_9184)', () => {
    const x = [210.05211, 110.19063, 307.918612];
    const y = [
      436.08811482466416, 416.37397329768191, 179.96975939463582, 197.8118754228619, 34.038757281225756,
      138.54220550921517, 128.7769351470246, 265.92721427951852, 275.6617533155341, 592.34083395416258,
      448.73177590617018, 300.61495185038905, 187.97508449019588,
    ];
    const r = mannWhitneyU(x, y);
    expect(r.statistic).toBe(16);
    expect(r.pValue).toBeCloseTo(0.7035714285714, 12);
    expect(mannWhitneyU(x, y, 'less').pValue).toBeCloseTo(0.3517857142857, 12);
    const a = [0.8, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46];
    const b = [1.15, 0.88, 0.9, 0.74, 1.21];
    expect(mannWhitneyU(a, b).pValue).toBeCloseTo(0.2544122544123, 12);
    expect(mannWhitneyU(a, b, 'greater').pValue).toBeCloseTo(0.1272061272061, 12);
  });

  it('epps_singleton_2samp (SP test_hypotests.py:43 test_statistic_2)', () => {
    const x = [0, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 5, 5, 5, 5, 6, 10, 10, 10, 10];
    const y = [10, 4, 0, 5, 10, 10, 0, 5, 6, 7, 10, 3, 1, 7, 0, 8, 1, 5, 8, 10];
    const r = eppsSingleton(x, y);
    expect(Math.abs(r.statistic - 8.9)).toBeLessThan(1e-3);
    expect(Math.abs(r.pValue - 0.06364)).toBeLessThan(5e-5);
  });

  it('wasserstein_distance and energy_distance (SP test_stats.py:8305 and :8398 test_simple)', () => {
    expect(wasserstein([0, 1, 2], [1, 2, 3])).toBeCloseTo(1, 12);
    expect(energyDistance([0, 1, 2], [1, 2, 3])).toBeCloseTo(Math.SQRT2 * Math.sqrt(3 / 9), 12);
    expect(wasserstein([1, 2, 3], [2, 1, 3])).toBe(0);
  });
});
