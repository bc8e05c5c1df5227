import { symmetricEigen } from '../stats/describe.js';

/** n representations of `dim` numbers each (row-major): what the poisoning detectors read. */
export interface Features {
  data: Float32Array;
  dim: number;
  n: number;
}

/** The rows of `f` listed in `rows`, as a new matrix. */
export function takeRows(f: Features, rows: ArrayLike<number>): Features {
  const out = new Float32Array(rows.length * f.dim);
  for (let k = 0; k < rows.length; k++) {
    const r = rows[k] as number;
    out.set(f.data.subarray(r * f.dim, (r + 1) * f.dim), k * f.dim);
  }
  return { data: out, dim: f.dim, n: rows.length };
}

/** Column means. */
export function centroid(f: Features): Float64Array {
  const mu = new Float64Array(f.dim);
  for (let i = 0; i < f.n; i++)
    for (let j = 0; j < f.dim; j++) mu[j] = (mu[j] as number) + (f.data[i * f.dim + j] as number);
  for (let j = 0; j < f.dim; j++) mu[j] = (mu[j] as number) / Math.max(1, f.n);
  return mu;
}

/**
 * Principal components: the top `k` eigenvectors of the covariance (Jacobi on the d x d matrix, fine for the
 * few hundred dimensions of a penultimate layer) and the centred data projected onto them.
 */
export function pca(
  f: Features,
  k: number,
): { projected: Features; components: Float64Array; values: Float64Array } {
  const d = f.dim;
  const mu = centroid(f);
  const cov = new Float64Array(d * d);
  const row = new Float64Array(d);
  for (let i = 0; i < f.n; i++) {
    for (let j = 0; j < d; j++) row[j] = (f.data[i * d + j] as number) - (mu[j] as number);
    for (let a = 0; a < d; a++) {
      const ra = row[a] as number;
      if (ra === 0) continue;
      for (let b = a; b < d; b++) cov[a * d + b] = (cov[a * d + b] as number) + ra * (row[b] as number);
    }
  }
  for (let a = 0; a < d; a++)
    for (let b = a; b < d; b++) {
      const v = (cov[a * d + b] as number) / Math.max(1, f.n - 1);
      cov[a * d + b] = v;
      cov[b * d + a] = v;
    }
  const { values, vectors } = symmetricEigen(cov, d);
  const order = Array.from(values, (v, i) => [v, i] as const)
    .sort((x, y) => y[0] - x[0])
    .slice(0, Math.min(k, d));
  const kk = order.length;
  const components = new Float64Array(kk * d);
  order.forEach(([, col], c) => {
    // fix the sign so that results do not depend on the eigen-solver's choice
    let s = 0;
    for (let j = 0; j < d; j++) s += vectors[j * d + col] as number;
    const sign = s < 0 ? -1 : 1;
    for (let j = 0; j < d; j++) components[c * d + j] = sign * (vectors[j * d + col] as number);
  });
  const out = new Float32Array(f.n * kk);
  for (let i = 0; i < f.n; i++)
    for (let c = 0; c < kk; c++) {
      let s = 0;
      for (let j = 0; j < d; j++)
        s += ((f.data[i * d + j] as number) - (mu[j] as number)) * (components[c * d + j] as number);
      out[i * kk + c] = s;
    }
  return {
    projected: { data: out, dim: kk, n: f.n },
    components,
    values: Float64Array.from(order, ([v]) => v),
  };
}

export function sqDistance(f: Features, i: number, g: Features, j: number): number {
  let s = 0;
  const d = f.dim;
  for (let k = 0; k < d; k++) s += ((f.data[i * d + k] as number) - (g.data[j * d + k] as number)) ** 2;
  return s;
}

/** Row indices grouped by label. */
export function byLabel(labels: Uint8Array): Map<number, number[]> {
  const m = new Map<number, number[]>();
  labels.forEach((y, i) => {
    if (!m.has(y)) m.set(y, []);
    m.get(y)?.push(i);
  });
  return m;
}
