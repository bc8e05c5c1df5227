// Order statistics, ranks, histograms and small linear algebra with NumPy's conventions, so the drift tests
// reproduce SciPy's and Evidently's numbers.

export function sorted(x: ArrayLike<number>): Float64Array {
  return Float64Array.from(x).sort();
}

export function mean(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] as number;
  return s / x.length;
}

/** Variance with `ddof` delta degrees of freedom (two-pass). */
export function variance(x: ArrayLike<number>, ddof = 0): number {
  const m = mean(x);
  let s = 0;
  for (let i = 0; i < x.length; i++) s += ((x[i] as number) - m) ** 2;
  return s / (x.length - ddof);
}

/** First index i with s[i] > v (side 'right') or s[i] >= v (side 'left') in ascending s. */
export function searchSorted(s: ArrayLike<number>, v: number, side: 'left' | 'right'): number {
  let lo = 0;
  let hi = s.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const m = s[mid] as number;
    if (side === 'right' ? m <= v : m < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** numpy.percentile(x, q) with the default linear interpolation, on ascending data. */
export function percentileSorted(s: ArrayLike<number>, q: number): number {
  const pos = (q / 100) * (s.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, s.length - 1);
  const f = pos - lo;
  const a = s[lo] as number;
  const b = s[hi] as number;
  // NumPy's _lerp: exact at both ends
  return f >= 0.5 ? b - (b - a) * (1 - f) : a + (b - a) * f;
}

/** numpy.percentile(x, q, method='nearest') on ascending data (ties at .5 go to the even index). */
export function percentileNearestSorted(s: ArrayLike<number>, q: number): number {
  const pos = (q / 100) * (s.length - 1);
  let i = Math.round(pos);
  if (Math.abs(pos - Math.trunc(pos)) === 0.5) i = 2 * Math.round(pos / 2);
  return s[Math.min(s.length - 1, Math.max(0, i))] as number;
}

/**
 * The rank sum of the first `nx` values of `all` among all of them (average ranks for ties, 1-based) and the
 * sizes of the tie groups: what rank tests need, from one typed sort instead of an index sort.
 */
export function rankSum(all: Float64Array, nx: number): { rankSum: number; ties: number[] } {
  const s = Float64Array.from(all).sort();
  const ties: number[] = [];
  const values: number[] = [];
  const avg: number[] = [];
  for (let i = 0; i < s.length;) {
    let j = i;
    while (j + 1 < s.length && s[j + 1] === s[i]) j++;
    ties.push(j - i + 1);
    values.push(s[i] as number);
    avg.push((i + j + 2) / 2);
    i = j + 1;
  }
  const xs = Float64Array.from(all.subarray(0, nx)).sort();
  let sum = 0;
  let g = 0;
  for (let i = 0; i < xs.length; i++) {
    while ((values[g] as number) < (xs[i] as number)) g++;
    sum += avg[g] as number;
  }
  return { rankSum: sum, ties };
}

/** numpy.histogram_bin_edges(x, bins='sturges') for data with the given min, max and size. */
export function sturgesEdges(min: number, max: number, size: number): Float64Array {
  let lo = min;
  let hi = max;
  const ptp = hi - lo;
  let nbins = 1;
  if (ptp > 0) {
    const width = ptp / (Math.log2(size) + 1);
    nbins = Math.ceil(ptp / width);
  } else {
    lo -= 0.5;
    hi += 0.5;
  }
  return linspace(lo, hi, nbins + 1);
}

/** numpy.linspace(start, stop, num) with the exact end point. */
export function linspace(start: number, stop: number, num: number): Float64Array {
  const out = new Float64Array(num);
  const div = num - 1;
  const step = (stop - start) / div;
  for (let i = 0; i < num; i++) out[i] = start + i * step;
  if (num > 1) out[num - 1] = stop;
  return out;
}

/** numpy.histogram counts over ascending equal-width edges (last bin closed); values outside are dropped. */
export function histogram(x: ArrayLike<number>, edges: Float64Array): Float64Array {
  const nb = edges.length - 1;
  const counts = new Float64Array(nb);
  const lo = edges[0] as number;
  const hi = edges[nb] as number;
  const norm = nb / (hi - lo);
  for (let i = 0; i < x.length; i++) {
    const v = x[i] as number;
    if (!(v >= lo && v <= hi)) continue;
    let b = Math.floor((v - lo) * norm);
    if (b >= nb) b = nb - 1;
    // the computed bin may be off by one near an edge: the edges decide, as in NumPy
    if (b > 0 && v < (edges[b] as number)) b--;
    else if (b < nb - 1 && v >= (edges[b + 1] as number)) b++;
    counts[b] = (counts[b] as number) + 1;
  }
  return counts;
}

/** Eigen-decomposition of a small symmetric matrix (cyclic Jacobi): values and column eigenvectors. */
export function symmetricEigen(a: Float64Array, n: number): { values: Float64Array; vectors: Float64Array } {
  const A = Float64Array.from(a);
  const V = new Float64Array(n * n);
  for (let i = 0; i < n; i++) V[i * n + i] = 1;
  let total = 0;
  for (const v of A) total += v * v;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += (A[p * n + q] as number) ** 2;
    // converged when the off-diagonal mass is negligible next to the matrix (relative 1e-15 in norm)
    if (off <= 1e-30 * total || off < 1e-300) break;
    for (let p = 0; p < n; p++)
      for (let q = p + 1; q < n; q++) {
        const apq = A[p * n + q] as number;
        if (apq === 0) continue;
        const app = A[p * n + p] as number;
        const aqq = A[q * n + q] as number;
        const theta = (aqq - app) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = A[k * n + p] as number;
          const akq = A[k * n + q] as number;
          A[k * n + p] = c * akp - s * akq;
          A[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = A[p * n + k] as number;
          const aqk = A[q * n + k] as number;
          A[p * n + k] = c * apk - s * aqk;
          A[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = V[k * n + p] as number;
          const vkq = V[k * n + q] as number;
          V[k * n + p] = c * vkp - s * vkq;
          V[k * n + q] = s * vkp + c * vkq;
        }
      }
  }
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) values[i] = A[i * n + i] as number;
  return { values, vectors: V };
}

/** Moore-Penrose pseudo-inverse and rank of a symmetric matrix, with NumPy's default cut-offs. */
export function symmetricPinv(a: Float64Array, n: number): { inverse: Float64Array; rank: number } {
  const { values, vectors } = symmetricEigen(a, n);
  const smax = Math.max(...Array.from(values, Math.abs));
  const cutoff = 1e-15 * smax;
  const inverse = new Float64Array(n * n);
  let rank = 0;
  for (let k = 0; k < n; k++) {
    const lam = values[k] as number;
    // numpy.linalg.matrix_rank of the pseudo-inverse counts exactly the eigenvalues that were inverted
    if (Math.abs(lam) <= cutoff) continue;
    rank++;
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++)
        inverse[i * n + j] =
          (inverse[i * n + j] as number) +
          ((vectors[i * n + k] as number) * (vectors[j * n + k] as number)) / lam;
  }
  return { inverse, rank };
}
