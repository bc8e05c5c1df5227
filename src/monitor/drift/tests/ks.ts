import { sorted } from '../../stats/describe.js';
import { kstwoSf, probOutsideBand, probOutsideSquare } from '../../stats/kolmogorov.js';
import type { DriftTest } from '../types.js';
import { numbers, pValueResult, thresholdOf } from './common.js';

/** Sizes up to which SciPy's method='auto' computes the exact two-sample distribution. */
export const KS_EXACT_MAX_N = 10_000;

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** The two-sided KS statistic sup |F1 - F2| of two ascending samples (ties handled as searchsorted right). */
export function ksStatistic(a: Float64Array, b: Float64Array): number {
  let i = 0;
  let j = 0;
  let d = 0;
  const n1 = a.length;
  const n2 = b.length;
  while (i < n1 && j < n2) {
    const v = Math.min(a[i] as number, b[j] as number);
    while (i < n1 && a[i] === v) i++;
    while (j < n2 && b[j] === v) j++;
    d = Math.max(d, Math.abs(i / n1 - j / n2));
  }
  return d;
}

/**
 * scipy.stats.ks_2samp(a, b) two-sided with method='auto': exact when both sizes are <= 10,000 (falling
 * back to the asymptotic distribution when the exact computation leaves [0, 1]), else kstwo.sf(D, round(en)).
 */
export function ks2samp(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  method: 'auto' | 'exact' | 'asymp' = 'auto',
): { statistic: number; pValue: number; method: 'exact' | 'asymp' } {
  const a = sorted(x);
  const b = sorted(y);
  const n1 = a.length;
  const n2 = b.length;
  let d = ksStatistic(a, b);
  let mode = method === 'auto' ? (Math.max(n1, n2) <= KS_EXACT_MAX_N ? 'exact' : 'asymp') : method;
  let p = NaN;
  if (mode === 'exact') {
    const g = gcd(n1, n2);
    const lcm = (n1 / g) * n2;
    const h = Math.round(d * lcm);
    d = h / lcm;
    if (h === 0) p = 1;
    else p = n1 === n2 ? probOutsideSquare(n1, h) : probOutsideBand(n1, n2, g, h);
    if (!(p >= 0 && p <= 1)) mode = 'asymp';
  }
  if (mode === 'asymp') {
    const [m, n] = n1 >= n2 ? [n1, n2] : [n2, n1];
    p = kstwoSf(Math.round((m * n) / (m + n)), d);
  }
  return { statistic: d, pValue: Math.min(1, Math.max(0, p)), method: mode };
}

export const ksTest: DriftTest = {
  name: 'ks',
  output: 'p_value',
  accepts: ['numerical'],
  defaultThreshold: 0.05,
  source: 'scipy.stats.ks_2samp; Evidently "ks": threshold 0.05, drift when p <= threshold',
  run(col, options) {
    const { reference, current } = numbers('ks', col);
    const r = ks2samp(reference, current);
    return pValueResult(r.statistic, r.pValue, thresholdOf(this, options), true);
  },
};
