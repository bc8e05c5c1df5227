// Small statistics for the extraction and drift stages (kept local: the monitor domain is separate).
import { normPpf } from '../../core/index.js';

const poly = (c: readonly number[], u: number) => c.reduce((s, k, i) => s + k * u ** i, 0);

// Shapiro-Wilk coefficients depend only on n; a monitor tests windows of one size over and over.
const COEFFICIENTS = new Map<number, Float64Array>();

function swCoefficients(n: number): Float64Array {
  const cached = COEFFICIENTS.get(n);
  if (cached) return cached;
  const a = new Float64Array(n);
  if (n === 3) {
    a[0] = -Math.SQRT1_2;
    a[2] = Math.SQRT1_2;
  } else {
    const m = Float64Array.from({ length: n }, (_, i) => normPpf((i + 1 - 0.375) / (n + 0.25)));
    const mm = m.reduce((s, v) => s + v * v, 0);
    const u = 1 / Math.sqrt(n);
    const last = m[n - 1]!;
    const an = last / Math.sqrt(mm) + poly([0, 0.221157, -0.147981, -2.07119, 4.434685, -2.706056], u);
    if (n > 5) {
      const prev = m[n - 2]!;
      const an1 = prev / Math.sqrt(mm) + poly([0, 0.042981, -0.293762, -1.752461, 5.682633, -3.582633], u);
      const phi = (mm - 2 * last * last - 2 * prev * prev) / (1 - 2 * an * an - 2 * an1 * an1);
      for (let i = 2; i < n - 2; i++) a[i] = m[i]! / Math.sqrt(phi);
      a[0] = -an;
      a[1] = -an1;
      a[n - 2] = an1;
      a[n - 1] = an;
    } else {
      const phi = (mm - 2 * last * last) / (1 - 2 * an * an);
      for (let i = 1; i < n - 1; i++) a[i] = m[i]! / Math.sqrt(phi);
      a[0] = -an;
      a[n - 1] = an;
    }
  }
  if (COEFFICIENTS.size < 64) COEFFICIENTS.set(n, a);
  return a;
}

let scratch = new Float64Array(512);

/**
 * The Shapiro-Wilk W statistic (Royston's 1992 coefficients, as AS R94 and SciPy compute them), for
 * 3 <= n <= 5000. W near 1: the sample looks normal. A constant sample gives 1.
 */
export function shapiroW(sample: ArrayLike<number>): number {
  if (scratch.length < sample.length) scratch = new Float64Array(Math.max(sample.length, 2 * scratch.length));
  const x = scratch.subarray(0, sample.length);
  x.set(sample);
  return shapiroWSorted(x.sort());
}

/** `shapiroW` of a sample already in ascending order (a monitor keeps its window sorted as it goes). */
export function shapiroWSorted(x: ArrayLike<number>): number {
  const n = x.length;
  if (n < 3) throw new RangeError('Shapiro-Wilk needs at least 3 values');
  let sum = 0;
  for (let i = 0; i < n; i++) sum += x[i]!;
  const mean = sum / n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (x[i]! - mean) ** 2;
  if (ss <= 1e-300 * n) return 1;
  const a = swCoefficients(n);
  let num = 0;
  for (let i = 0; i < n; i++) num += a[i]! * x[i]!;
  return Math.min(1, (num * num) / ss);
}

/** A sliding window of the last `capacity` values, also kept in ascending order (O(capacity) per push). */
export class SortedWindow {
  // both grow to `capacity` as values arrive (a monitor holds one window per principal, most of them short)
  private fifo: Float64Array;
  private sorted: Float64Array;
  private head = 0;
  length = 0;

  constructor(readonly capacity: number) {
    this.fifo = new Float64Array(Math.min(capacity, 16));
    this.sorted = new Float64Array(Math.min(capacity, 16));
  }

  push(v: number): void {
    if (this.length === this.sorted.length && this.length < this.capacity) {
      // not yet full, so the ring has not wrapped: the values sit at 0..length-1 in both arrays
      const size = Math.min(this.capacity, this.length * 2);
      const fifo = new Float64Array(size);
      fifo.set(this.fifo);
      const sorted = new Float64Array(size);
      sorted.set(this.sorted);
      this.fifo = fifo;
      this.sorted = sorted;
    }
    const { sorted } = this;
    if (this.length === this.capacity) {
      // drop the oldest from both orders
      const old = this.fifo[this.head]!;
      const at = lowerBound(sorted, this.length, old);
      sorted.copyWithin(at, at + 1, this.length);
      this.length--;
      this.fifo[this.head] = v;
      this.head = (this.head + 1) % this.capacity;
    } else this.fifo[(this.head + this.length) % this.capacity] = v;
    const at = lowerBound(sorted, this.length, v);
    sorted.copyWithin(at + 1, at, this.length);
    sorted[at] = v;
    this.length++;
  }

  /** The window in ascending order (a view, valid until the next push). */
  ascending(): Float64Array {
    return this.sorted.subarray(0, this.length);
  }
}

function lowerBound(xs: Float64Array, n: number, v: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (xs[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Two-sample Kolmogorov-Smirnov statistic D and its asymptotic p-value (Stephens' small-sample correction). */
export function ksTwoSample(a: ArrayLike<number>, b: ArrayLike<number>): { d: number; p: number } {
  const x = Float64Array.from(a).sort();
  const y = Float64Array.from(b).sort();
  const n = x.length;
  const m = y.length;
  if (n === 0 || m === 0) return { d: 0, p: 1 };
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < n && j < m) {
    const v = Math.min(x[i]!, y[j]!);
    while (i < n && x[i]! <= v) i++;
    while (j < m && y[j]! <= v) j++;
    d = Math.max(d, Math.abs(i / n - j / m));
  }
  const en = Math.sqrt((n * m) / (n + m));
  return { d, p: kolmogorovQ((en + 0.12 + 0.11 / en) * d) };
}

/** Survival function of the Kolmogorov distribution. */
function kolmogorovQ(lambda: number): number {
  if (lambda < 1e-3) return 1;
  let sum = 0;
  for (let k = 1; k <= 100; k++) {
    const term = 2 * (k % 2 ? 1 : -1) * Math.exp(-2 * k * k * lambda * lambda);
    sum += term;
    if (Math.abs(term) < 1e-12) break;
  }
  return Math.min(1, Math.max(0, sum));
}

/** Bin edges at the reference's quantiles, so each bin holds about the same share of the reference. */
export function quantileEdges(reference: ArrayLike<number>, bins = 10): number[] {
  const s = Float64Array.from(reference).sort();
  const edges: number[] = [];
  for (let k = 1; k < bins; k++) {
    const e = s[Math.min(s.length - 1, Math.floor((k * s.length) / bins))]!;
    if (edges.length === 0 || e > edges[edges.length - 1]!) edges.push(e);
  }
  return edges;
}

/** Share of values in each bin (values below the first edge in bin 0; equal to an edge: the bin above). */
export function binShares(values: ArrayLike<number>, edges: readonly number[]): number[] {
  const counts = new Array<number>(edges.length + 1).fill(0);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    let lo = 0;
    let hi = edges.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (v < edges[mid]!) hi = mid;
      else lo = mid + 1;
    }
    counts[lo]!++;
  }
  return counts.map((c) => c / Math.max(1, values.length));
}

/** Population stability index between two bin-share vectors (empty bins floored at 1e-4). */
export function psi(expected: readonly number[], actual: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < expected.length; i++) {
    const e = Math.max(expected[i]!, 1e-4);
    const a = Math.max(actual[i] ?? 0, 1e-4);
    s += (a - e) * Math.log(a / e);
  }
  return s;
}
