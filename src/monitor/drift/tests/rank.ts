import { rankSum, sorted } from '../../stats/describe.js';
import { normSf } from '../../../core/index.js';
import type { DriftTest } from '../types.js';
import { numbers, pValueResult, thresholdOf } from './common.js';

/**
 * scipy.stats.anderson_ksamp(samples) with midrank=True: Scholz-Stephens A2akN, standardized, and the p-value
 * interpolated on the log of the significance levels (quadratic fit), capped at 0.25 and floored at 0.001
 * outside the tabulated critical values, exactly as SciPy does without `method`.
 */
export function andersonKsamp(samples: ArrayLike<number>[]): {
  statistic: number;
  pValue: number;
  critical: number[];
} {
  const k = samples.length;
  const sortedSamples = samples.map((s) => sorted(s));
  const n = sortedSamples.map((s) => s.length);
  const N = n.reduce((a, b) => a + b, 0);
  const Z = new Float64Array(N);
  let at = 0;
  for (const s of sortedSamples) {
    Z.set(s, at);
    at += s.length;
  }
  Z.sort();
  // distinct values of the pooled sample with their multiplicity l_j and midrank position B_j
  const Zstar: number[] = [];
  const lj: number[] = [];
  const Bj: number[] = [];
  for (let i = 0; i < N;) {
    let j = i;
    while (j + 1 < N && Z[j + 1] === Z[i]) j++;
    Zstar.push(Z[i] as number);
    lj.push(j - i + 1);
    Bj.push(i + (j - i + 1) / 2);
    i = j + 1;
  }
  let A2 = 0;
  for (let i = 0; i < k; i++) {
    const s = sortedSamples[i] as Float64Array;
    let inner = 0;
    let lo = 0; // values of s below z
    for (let j = 0; j < Zstar.length; j++) {
      const z = Zstar[j] as number;
      while (lo < s.length && (s[lo] as number) < z) lo++;
      let hi = lo;
      while (hi < s.length && s[hi] === z) hi++;
      const Mij = hi - (hi - lo) / 2;
      const B = Bj[j] as number;
      const l = lj[j] as number;
      inner += ((l / N) * (N * Mij - B * (n[i] as number)) ** 2) / (B * (N - B) - (N * l) / 4);
    }
    A2 += inner / (n[i] as number);
  }
  A2 *= (N - 1) / N;

  const H = n.reduce((a, ni) => a + 1 / ni, 0);
  let h = 0;
  let g = 0;
  // hs_cs = cumsum(1 / arange(N-1, 1, -1)); h = hs_cs[-1] + 1; g = sum(hs_cs / arange(2, N))
  let cs = 0;
  for (let idx = 0, v = N - 1; v > 1; v--, idx++) {
    cs += 1 / v;
    g += cs / (idx + 2);
  }
  h = cs + 1;
  const a = (4 * g - 6) * (k - 1) + (10 - 6 * g) * H;
  const b = (2 * g - 4) * k ** 2 + 8 * h * k + (2 * g - 14 * h - 4) * H - 8 * h + 4 * g - 6;
  const c = (6 * h + 2 * g - 2) * k ** 2 + (4 * h - 4 * g + 6) * k + (2 * h - 6) * H + 4 * h;
  const d = (2 * h + 6) * k ** 2 - 4 * h * k;
  const sigmasq = (a * N ** 3 + b * N ** 2 + c * N + d) / ((N - 1) * (N - 2) * (N - 3));
  const m = k - 1;
  const stat = (A2 - m) / Math.sqrt(sigmasq);
  const b0 = [0.675, 1.281, 1.645, 1.96, 2.326, 2.573, 3.085];
  const b1 = [-0.245, 0.25, 0.678, 1.149, 1.822, 2.364, 3.615];
  const b2 = [-0.105, -0.305, -0.362, -0.391, -0.396, -0.345, -0.154];
  const critical = b0.map((v, i) => v + (b1[i] as number) / Math.sqrt(m) + (b2[i] as number) / m);
  const sig = [0.25, 0.1, 0.05, 0.025, 0.01, 0.005, 0.001];
  let p: number;
  if (stat < Math.min(...critical)) p = 0.25;
  else if (stat > Math.max(...critical)) p = 0.001;
  else {
    const [c2, c1, c0] = quadraticFit(critical, sig.map(Math.log));
    p = Math.exp((c2 * stat + c1) * stat + c0);
  }
  return { statistic: stat, pValue: p, critical };
}

/** Least-squares quadratic y ~ c2 x^2 + c1 x + c0 (numpy.polyfit degree 2), via centred normal equations. */
function quadraticFit(x: number[], y: number[]): [number, number, number] {
  const mx = x.reduce((a, b) => a + b, 0) / x.length;
  const S = [0, 0, 0, 0, 0];
  const T = [0, 0, 0];
  x.forEach((xi, i) => {
    const u = xi - mx;
    for (let p = 0; p <= 4; p++) S[p] = (S[p] as number) + u ** p;
    for (let p = 0; p <= 2; p++) T[p] = (T[p] as number) + u ** p * (y[i] as number);
  });
  const [s0, s1, s2, s3, s4] = S as [number, number, number, number, number];
  const [t0, t1, t2] = T as [number, number, number];
  // solve [[s4 s3 s2] [s3 s2 s1] [s2 s1 s0]] [a b c] = [t2 t1 t0] by Cramer's rule
  const det3 = (m: number[]): number =>
    (m[0] as number) * ((m[4] as number) * (m[8] as number) - (m[5] as number) * (m[7] as number)) -
    (m[1] as number) * ((m[3] as number) * (m[8] as number) - (m[5] as number) * (m[6] as number)) +
    (m[2] as number) * ((m[3] as number) * (m[7] as number) - (m[4] as number) * (m[6] as number));
  const M = [s4, s3, s2, s3, s2, s1, s2, s1, s0];
  const D = det3(M);
  const A = det3([t2, s3, s2, t1, s2, s1, t0, s1, s0]) / D;
  const B = det3([s4, t2, s2, s3, t1, s1, s2, t0, s0]) / D;
  const C = det3([s4, s3, t2, s3, s2, t1, s2, s1, t0]) / D;
  // back from the centred variable u = x - mx
  return [A, B - 2 * A * mx, A * mx * mx - B * mx + C];
}

export const andersonTest: DriftTest = {
  name: 'anderson',
  output: 'p_value',
  accepts: ['numerical'],
  defaultThreshold: 0.1,
  source:
    'scipy.stats.anderson_ksamp (p in [0.001, 0.25]); Evidently "anderson": 0.1, drift when p < threshold',
  run(col, options) {
    const { reference, current } = numbers('anderson', col);
    const r = andersonKsamp([reference, current]);
    return pValueResult(r.statistic, r.pValue, thresholdOf(this, options));
  },
};

/**
 * Number of ways to get each U for sizes (m, n) without ties: the coefficients of the Gaussian binomial
 * [m + n choose m]_q = prod_{i=1..m} (1 - q^(n+i)) / (1 - q^i), built one factor at a time (each partial
 * product is itself a polynomial), in O(m^2 n).
 */
function mwuCounts(m: number, n: number): Float64Array {
  const c = new Float64Array(m * n + m + 1);
  c[0] = 1;
  let deg = 0;
  for (let i = 1; i <= m; i++) {
    const k = n + i;
    for (let u = deg + k; u >= k; u--) c[u] = (c[u] as number) - (c[u - k] as number);
    for (let u = i; u <= deg + k; u++) c[u] = (c[u] as number) + (c[u - i] as number);
    deg += n;
  }
  return c.subarray(0, m * n + 1);
}

/**
 * scipy.stats.mannwhitneyu(x, y, alternative, method='auto', use_continuity=True): exact when either sample
 * has at most 8 values and there are no ties, else the normal approximation with tie correction.
 */
export function mannWhitneyU(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  alternative: 'two-sided' | 'less' | 'greater' = 'two-sided',
): { statistic: number; pValue: number } {
  const n1 = x.length;
  const n2 = y.length;
  const all = new Float64Array(n1 + n2);
  all.set(Array.from(x));
  all.set(Array.from(y), n1);
  const { rankSum: R1, ties } = rankSum(all, n1);
  const U1 = R1 - (n1 * (n1 + 1)) / 2;
  const U2 = n1 * n2 - U1;
  const U = alternative === 'greater' ? U1 : alternative === 'less' ? U2 : Math.max(U1, U2);
  const f = alternative === 'two-sided' ? 2 : 1;
  const hasTies = ties.some((t) => t > 1);
  let p: number;
  if ((n1 <= 8 || n2 <= 8) && !hasTies) {
    const counts = mwuCounts(Math.min(n1, n2), Math.max(n1, n2));
    let total = 0;
    let tail = 0;
    counts.forEach((c, u) => {
      total += c;
      if (u >= U) tail += c;
    });
    p = tail / total;
  } else {
    const n = n1 + n2;
    const tieTerm = ties.reduce((s, t) => s + t ** 3 - t, 0);
    const s = Math.sqrt(((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1))));
    p = normSf((U - (n1 * n2) / 2 - 0.5) / s);
  }
  return { statistic: U1, pValue: Math.min(1, Math.max(0, p * f)) };
}

export const mannWhitneyTest: DriftTest = {
  name: 'mannwhitney',
  output: 'p_value',
  accepts: ['numerical'],
  defaultThreshold: 0.05,
  source: 'scipy.stats.mannwhitneyu, two-sided (Evidently "mannw" uses alternative="less"); 0.05',
  run(col, options) {
    const { reference, current } = numbers('mannwhitney', col);
    const r = mannWhitneyU(reference, current, options?.alternative ?? 'two-sided');
    return pValueResult(r.statistic, r.pValue, thresholdOf(this, options));
  },
};
