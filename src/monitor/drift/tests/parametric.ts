import { monitorError } from '../../errors.js';
import { mean, percentileSorted, sorted, symmetricPinv, variance } from '../../stats/describe.js';
import { chi2Sf, tTwoSided } from '../../stats/special.js';
import type { DriftTest } from '../types.js';
import { numbers, pValueResult, thresholdOf } from './common.js';

/** scipy.stats.ttest_ind(a, b, equal_var): Welch's test by default here, Student's with equalVar. */
export function tTest(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  equalVar = false,
): { statistic: number; pValue: number } {
  const n1 = a.length;
  const n2 = b.length;
  const v1 = variance(a, 1);
  const v2 = variance(b, 1);
  const diff = mean(a) - mean(b);
  let se: number;
  let df: number;
  if (equalVar) {
    df = n1 + n2 - 2;
    const sp = ((n1 - 1) * v1 + (n2 - 1) * v2) / df;
    se = Math.sqrt(sp * (1 / n1 + 1 / n2));
  } else {
    const q1 = v1 / n1;
    const q2 = v2 / n2;
    se = Math.sqrt(q1 + q2);
    df = (q1 + q2) ** 2 / (q1 ** 2 / (n1 - 1) + q2 ** 2 / (n2 - 1));
  }
  const t = diff / se;
  if (Number.isNaN(t)) return { statistic: NaN, pValue: NaN };
  return { statistic: t, pValue: tTwoSided(t, df) };
}

export const tTestTest: DriftTest = {
  name: 't_test',
  output: 'p_value',
  accepts: ['numerical'],
  defaultThreshold: 0.05,
  source: "Welch's t-test (scipy ttest_ind equal_var=False; Evidently's \"t_test\" is Student's): 0.05",
  run(col, options) {
    const { reference, current } = numbers('t_test', col);
    if (reference.length < 2 || current.length < 2)
      throw monitorError('MONITOR_NO_DATA', 't_test needs at least two values in each sample');
    const r = tTest(reference, current, options?.equalVar ?? false);
    if (Number.isNaN(r.pValue)) return pValueResult(0, 1, thresholdOf(this, options));
    return pValueResult(r.statistic, r.pValue, thresholdOf(this, options));
  },
};

/**
 * scipy.stats.epps_singleton_2samp(x, y, t=(0.4, 0.8)): the empirical characteristic functions at t / (IQR/2)
 * compared through a pseudo-inverted pooled covariance; chi-square with rank degrees of freedom, and the
 * small-sample correction when both samples have fewer than 25 values.
 */
export function eppsSingleton(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  t: number[] = [0.4, 0.8],
): { statistic: number; pValue: number } {
  const nx = x.length;
  const ny = y.length;
  if (nx < 5 || ny < 5)
    throw monitorError('MONITOR_NO_DATA', 'epps_singleton needs at least 5 values in each sample');
  const all = sorted([...Array.from(x), ...Array.from(y)]);
  const sigma = (percentileSorted(all, 75) - percentileSorted(all, 25)) / 2;
  if (!(sigma > 0))
    throw monitorError(
      'MONITOR_TEST_NOT_APPLICABLE',
      'epps_singleton: the interquartile range of the data is zero',
    );
  const ts = t.map((v) => v / sigma);
  const d = 2 * ts.length;
  const moments = (s: ArrayLike<number>): { mean: Float64Array; cov: Float64Array } => {
    const n = s.length;
    const sum = new Float64Array(d);
    const prod = new Float64Array(d * d);
    const f = new Float64Array(d);
    for (let i = 0; i < n; i++) {
      const v = s[i] as number;
      for (let k = 0; k < ts.length; k++) {
        f[k] = Math.cos((ts[k] as number) * v);
        f[k + ts.length] = Math.sin((ts[k] as number) * v);
      }
      for (let a = 0; a < d; a++) {
        const fa = f[a] as number;
        sum[a] = (sum[a] as number) + fa;
        for (let b = a; b < d; b++) prod[a * d + b] = (prod[a * d + b] as number) + fa * (f[b] as number);
      }
    }
    // biased covariance (divide by n), as the test prescribes
    const m = sum.map((v) => v / n);
    const cov = new Float64Array(d * d);
    for (let a = 0; a < d; a++)
      for (let b = a; b < d; b++) {
        const c = (prod[a * d + b] as number) / n - (m[a] as number) * (m[b] as number);
        cov[a * d + b] = c;
        cov[b * d + a] = c;
      }
    return { mean: m, cov };
  };
  const gx = moments(x);
  const gy = moments(y);
  const n = nx + ny;
  const est = new Float64Array(d * d);
  for (let i = 0; i < d * d; i++)
    est[i] = (n / nx) * (gx.cov[i] as number) + (n / ny) * (gy.cov[i] as number);
  const { inverse, rank } = symmetricPinv(est, d);
  const g = Array.from(gx.mean, (v, i) => v - (gy.mean[i] as number));
  let w = 0;
  for (let a = 0; a < d; a++)
    for (let b = 0; b < d; b++) w += (g[a] as number) * (inverse[a * d + b] as number) * (g[b] as number);
  w *= n;
  if (Math.max(nx, ny) < 25) w *= 1 / (1 + n ** -0.45 + 10.1 * (nx ** -1.7 + ny ** -1.7));
  return { statistic: w, pValue: chi2Sf(w, rank) };
}

export const eppsSingletonTest: DriftTest = {
  name: 'epps_singleton',
  output: 'p_value',
  accepts: ['numerical'],
  defaultThreshold: 0.05,
  source: 'scipy.stats.epps_singleton_2samp; Evidently "es": 0.05, drift when p < threshold',
  run(col, options) {
    const { reference, current } = numbers('epps_singleton', col);
    const r = eppsSingleton(reference, current);
    return pValueResult(r.statistic, r.pValue, thresholdOf(this, options));
  },
};
