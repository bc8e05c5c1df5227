import { monitorError } from '../../errors.js';
import { logChoose, normSf } from '../../../core/index.js';
import { chi2Sf } from '../../stats/special.js';
import { categoryCounts } from '../binning.js';
import type { DriftTest } from '../types.js';
import { distanceResult, pValueResult, thresholdOf } from './common.js';

// Tests on category counts. Numerical columns take them too, each distinct value being a category (Evidently
// picks chi-square or z for numerical columns with at most five values).

/** Expected counts: the reference's shares scaled to the current sample's size (Evidently's f_exp). */
function observedExpected(counts: ReturnType<typeof categoryCounts>): {
  obs: Float64Array;
  exp: Float64Array;
} {
  const k = counts.nCurrent / counts.nReference;
  return { obs: counts.current, exp: counts.reference.map((v) => v * k) };
}

/** scipy.stats.chisquare(obs, exp): Pearson's statistic with k - 1 degrees of freedom. */
export function chiSquare(obs: Float64Array, exp: Float64Array): { statistic: number; pValue: number } {
  let stat = 0;
  for (let i = 0; i < obs.length; i++) {
    const e = exp[i] as number;
    const d = (obs[i] as number) - e;
    stat += e === 0 ? (d === 0 ? NaN : Infinity) : (d * d) / e;
  }
  if (Number.isNaN(stat)) stat = Infinity;
  return { statistic: stat, pValue: chi2Sf(stat, obs.length - 1) };
}

/** scipy.stats.power_divergence(obs, exp, lambda_='log-likelihood'): the G statistic. */
export function gTest(obs: Float64Array, exp: Float64Array): { statistic: number; pValue: number } {
  let stat = 0;
  for (let i = 0; i < obs.length; i++) {
    const o = obs[i] as number;
    if (o === 0) continue;
    const e = exp[i] as number;
    stat += e === 0 ? Infinity : o * Math.log(o / e);
  }
  stat *= 2;
  return { statistic: stat, pValue: chi2Sf(stat, obs.length - 1) };
}

/** Two-sided Fisher exact test of a 2x2 table [[a, b], [c, d]] as scipy.stats.fisher_exact. */
export function fisherExact(
  a: number,
  b: number,
  c: number,
  d: number,
): { oddsRatio: number; pValue: number } {
  if (a + b === 0 || c + d === 0 || a + c === 0 || b + d === 0) return { oddsRatio: NaN, pValue: 1 };
  const oddsRatio = c > 0 && b > 0 ? (a * d) / (c * b) : Infinity;
  const n1 = a + b;
  const n2 = c + d;
  const n = a + c;
  const total = n1 + n2;
  const lo = Math.max(0, n - n2);
  const hi = Math.min(n, n1);
  const logDen = logChoose(total, n);
  const pmf = (x: number): number => Math.exp(logChoose(n1, x) + logChoose(n2, n - x) - logDen);
  const pExact = pmf(a);
  const mode = Math.floor(((n + 1) * (n1 + 1)) / (total + 2));
  const pMode = pmf(mode);
  if (Math.abs(pExact - pMode) / Math.max(pExact, pMode) <= 1e-14) return { oddsRatio, pValue: 1 };
  // every table at most as likely as the observed one, with SciPy's relative slack of 1e-14
  const gamma = 1 + 1e-14;
  let p = 0;
  for (let x = lo; x <= hi; x++) {
    const px = pmf(x);
    if (px <= pExact * gamma) p += px;
  }
  return { oddsRatio, pValue: Math.min(1, p) };
}

export const chiSquareTest: DriftTest = {
  name: 'chisquare',
  output: 'p_value',
  accepts: ['categorical', 'numerical'],
  defaultThreshold: 0.05,
  source:
    'scipy.stats.chisquare on Evidently\'s f_obs/f_exp; Evidently "chisquare": 0.05, drift when p < threshold',
  run(col, options) {
    const { obs, exp } = observedExpected(categoryCounts(col));
    const r = chiSquare(obs, exp);
    return pValueResult(r.statistic, r.pValue, thresholdOf(this, options));
  },
};

export const gTestTest: DriftTest = {
  name: 'g_test',
  output: 'p_value',
  accepts: ['categorical', 'numerical'],
  defaultThreshold: 0.1,
  source: 'scipy.stats.power_divergence(lambda_="log-likelihood"); Evidently "g_test": 0.1',
  run(col, options) {
    const { obs, exp } = observedExpected(categoryCounts(col));
    const r = gTest(obs, exp);
    return pValueResult(r.statistic, r.pValue, thresholdOf(this, options));
  },
};

/** The two values of a binary column; a third value is an error (a placeholder fills a one-valued column). */
function binaryCounts(test: string, col: Parameters<DriftTest['run']>[0]): [number, number, number, number] {
  const c = categoryCounts(col);
  if (c.keys.length > 2)
    throw monitorError(
      'MONITOR_TEST_NOT_APPLICABLE',
      `${test} needs a binary column; this one has ${c.keys.length} values`,
    );
  const r1 = c.reference[0] ?? 0;
  const k1 = c.current[0] ?? 0;
  return [k1, c.nCurrent - k1, r1, c.nReference - r1];
}

export const fisherExactTest: DriftTest = {
  name: 'fisher_exact',
  output: 'p_value',
  accepts: ['categorical', 'numerical'],
  defaultThreshold: 0.1,
  source: 'scipy.stats.fisher_exact on [[cur1, cur0], [ref1, ref0]] as Evidently; "fisher_exact": 0.1',
  run(col, options) {
    const [a, b, c, d] = binaryCounts('fisher_exact', col);
    const r = fisherExact(a, b, c, d);
    return pValueResult(r.oddsRatio, r.pValue, thresholdOf(this, options));
  },
};

export const zTest: DriftTest = {
  name: 'z',
  output: 'p_value',
  accepts: ['categorical', 'numerical'],
  defaultThreshold: 0.05,
  source: 'two-proportion z-test as Evidently "z" (its default for binary columns): 0.05',
  run(col, options) {
    const c = categoryCounts(col);
    const threshold = thresholdOf(this, options);
    if (c.keys.length > 2)
      throw monitorError(
        'MONITOR_TEST_NOT_APPLICABLE',
        `z needs a binary column; this one has ${c.keys.length} values`,
      );
    if (c.keys.length < 2) return pValueResult(0, 1, threshold);
    // the first value in sorted order is "0", as Evidently
    const first = [...c.keys].sort()[0] as string;
    const i = c.keys.indexOf(first);
    const p1 = 1 - (c.reference[i] as number) / c.nReference;
    const p2 = 1 - (c.current[i] as number) / c.nCurrent;
    const P = (p1 * c.nReference + p2 * c.nCurrent) / (c.nReference + c.nCurrent);
    const z = (p1 - p2) / Math.sqrt(P * (1 - P) * (1 / c.nReference + 1 / c.nCurrent));
    return pValueResult(z, 2 * normSf(Math.abs(z)), threshold);
  },
};

export const linfTest: DriftTest = {
  name: 'linf',
  output: 'distance',
  accepts: ['categorical', 'numerical'],
  defaultThreshold: 0.1,
  source: "NannyML L-infinity distance: the largest change of a category's share (threshold ours: 0.1)",
  run(col, options) {
    const c = categoryCounts(col);
    let d = 0;
    for (let i = 0; i < c.keys.length; i++)
      d = Math.max(
        d,
        Math.abs((c.reference[i] as number) / c.nReference - (c.current[i] as number) / c.nCurrent),
      );
    return distanceResult(d, thresholdOf(this, options));
  },
};
