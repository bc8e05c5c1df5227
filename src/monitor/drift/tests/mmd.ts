import { seededRandom } from '../../../core/index.js';
import { monitorError } from '../../errors.js';
import { percentileNearestSorted } from '../../stats/describe.js';
import type { DriftTest } from '../types.js';
import { numbers, pValueResult, thresholdOf } from './common.js';

/** Points as rows of `dim` numbers in one flat array. */
export interface Points {
  data: Float64Array;
  dim: number;
}

export interface MmdOptions {
  permutations?: number;
  seed?: number;
  /** Largest sample kept per side (seeded subsample beyond it): the kernel matrix is quadratic. */
  maxSamples?: number;
}

function subsample(p: Points, max: number, rnd: () => number): Points {
  const n = p.data.length / p.dim;
  if (n <= max) return p;
  const idx = Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < max; i++) {
    const j = i + Math.floor(rnd() * (n - i));
    [idx[i], idx[j]] = [idx[j] as number, idx[i] as number];
  }
  const out = new Float64Array(max * p.dim);
  for (let i = 0; i < max; i++)
    out.set(p.data.subarray((idx[i] as number) * p.dim, ((idx[i] as number) + 1) * p.dim), i * p.dim);
  return { data: out, dim: p.dim };
}

/**
 * Maximum mean discrepancy with a Gaussian kernel and a permutation test, as Evidently's empirical_mmd (for
 * any dimension): the bandwidth is the median heuristic on reference-reference squared distances (nearest
 * percentile), the diagonal is removed, and p = share of permutations whose MMD is >= the observed one.
 */
export function mmdTest(
  x0: Points,
  y0: Points,
  opts: MmdOptions = {},
): { statistic: number; pValue: number; sigma: number } {
  if (x0.dim !== y0.dim) throw monitorError('MONITOR_INVALID_OPTION', 'mmd: samples of different dimensions');
  const rnd = seededRandom(opts.seed ?? 0);
  const max = opts.maxSamples ?? 1000;
  const x = subsample(x0, max, rnd);
  const y = subsample(y0, max, rnd);
  const d = x.dim;
  const nx = x.data.length / d;
  const ny = y.data.length / d;
  if (nx < 2 || ny < 2) throw monitorError('MONITOR_NO_DATA', 'mmd needs at least two values in each sample');
  const N = nx + ny;
  const all = new Float64Array(N * d);
  all.set(x.data);
  all.set(y.data, nx * d);
  const dist = new Float64Array(N * N);
  for (let i = 0; i < N; i++)
    for (let j = i; j < N; j++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += ((all[i * d + k] as number) - (all[j * d + k] as number)) ** 2;
      dist[i * N + j] = s;
      dist[j * N + i] = s;
    }
  const xx = new Float64Array(nx * nx);
  for (let i = 0; i < nx; i++) xx.set(dist.subarray(i * N, i * N + nx), i * nx);
  xx.sort();
  let sigma = Math.sqrt(0.5 * percentileNearestSorted(xx, 50));
  if (sigma === 0) sigma = Math.sqrt(0.5);
  const gamma = 1 / (2 * sigma * sigma);
  const K = dist.map((v) => Math.exp(-gamma * v));
  for (let i = 0; i < N; i++) K[i * N + i] = 0;
  const statFor = (perm: Int32Array | null): number => {
    let sxx = 0;
    let syy = 0;
    let sxy = 0;
    for (let a = 0; a < N; a++) {
      const i = perm ? (perm[a] as number) : a;
      const row = i * N;
      for (let b = 0; b < N; b++) {
        const v = K[row + (perm ? (perm[b] as number) : b)] as number;
        if (a < nx) {
          if (b < nx) sxx += v;
          else sxy += v;
        } else if (b >= nx) syy += v;
      }
    }
    return sxx / (nx * (nx - 1)) + syy / (ny * (ny - 1)) - (2 * sxy) / (nx * ny);
  };
  const observed = statFor(null);
  const perms = opts.permutations ?? 100;
  const perm = Int32Array.from({ length: N }, (_, i) => i);
  let atLeast = 0;
  for (let p = 0; p < perms; p++) {
    for (let i = N - 1; i > 0; i--) {
      const j = Math.floor(rnd() * (i + 1));
      [perm[i], perm[j]] = [perm[j] as number, perm[i] as number];
    }
    if (observed <= statFor(perm)) atLeast++;
  }
  return { statistic: observed, pValue: atLeast / perms, sigma };
}

export const mmdDriftTest: DriftTest = {
  name: 'mmd',
  output: 'p_value',
  accepts: ['numerical'],
  defaultThreshold: 0.1,
  source: 'Evidently "empirical_mmd": RBF kernel, median bandwidth, 100 permutations (seeded here), 0.1',
  run(col, options) {
    const { reference, current } = numbers('mmd', col);
    const perms = options?.permutations;
    if (perms !== undefined && !(Number.isSafeInteger(perms) && perms > 0))
      throw monitorError(
        'MONITOR_INVALID_OPTION',
        `mmd permutations must be a positive integer, got ${perms}`,
      );
    const r = mmdTest(
      { data: reference, dim: 1 },
      { data: current, dim: 1 },
      { seed: options?.seed, permutations: perms },
    );
    return pValueResult(r.statistic, r.pValue, thresholdOf(this, options));
  },
};
