import { histogram, sturgesEdges } from '../../stats/describe.js';
import { binnedShares, categoryCounts } from '../binning.js';
import type { DriftTest } from '../types.js';
import { distanceResult, thresholdOf } from './common.js';

// Distances between binned distributions, binned as Evidently bins them (binning.ts).

/** x log(x / y) with 0 log 0 = 0 (scipy.special.rel_entr). */
function relEntr(x: number, y: number): number {
  if (x === 0) return y >= 0 ? 0 : Infinity;
  if (y === 0) return Infinity;
  return x * Math.log(x / y);
}

function normalize(p: Float64Array): Float64Array {
  let s = 0;
  for (const v of p) s += v;
  return p.map((v) => v / s);
}

/** scipy.spatial.distance.jensenshannon(p, q): sqrt of the JS divergence, natural log. */
export function jensenShannon(p0: Float64Array, q0: Float64Array): number {
  const p = normalize(p0);
  const q = normalize(q0);
  let js = 0;
  for (let i = 0; i < p.length; i++) {
    const m = ((p[i] as number) + (q[i] as number)) / 2;
    js += relEntr(p[i] as number, m) + relEntr(q[i] as number, m);
  }
  return Math.sqrt(Math.max(0, js) / 2);
}

/** scipy.stats.entropy(p, q): Kullback-Leibler divergence of the normalized vectors. */
export function klDivergence(p0: Float64Array, q0: Float64Array): number {
  const p = normalize(p0);
  const q = normalize(q0);
  let s = 0;
  for (let i = 0; i < p.length; i++) s += relEntr(p[i] as number, q[i] as number);
  return s;
}

/** Population stability index of two share vectors (no renormalization, as Evidently). */
export function psi(ref: Float64Array, cur: Float64Array): number {
  let s = 0;
  for (let i = 0; i < ref.length; i++) {
    const r = ref[i] as number;
    const c = cur[i] as number;
    s += (r - c) * Math.log(r / c);
  }
  return s;
}

export const psiTest: DriftTest = {
  name: 'psi',
  output: 'distance',
  accepts: ['categorical', 'numerical'],
  defaultThreshold: 0.1,
  source: 'Evidently "psi": Evidently binning with empty bins filled, threshold 0.1, drift when >=',
  run(col, options) {
    const { reference, current } = binnedShares(col, true);
    return distanceResult(psi(reference, current), thresholdOf(this, options));
  },
};

export const jensenShannonTest: DriftTest = {
  name: 'jensenshannon',
  output: 'distance',
  accepts: ['categorical', 'numerical'],
  defaultThreshold: 0.1,
  source: 'Evidently "jensenshannon": scipy jensenshannon on Evidently bins (no filling), threshold 0.1',
  run(col, options) {
    const { reference, current } = binnedShares(col, false);
    return distanceResult(jensenShannon(reference, current), thresholdOf(this, options));
  },
};

export const klDivTest: DriftTest = {
  name: 'kl_div',
  output: 'distance',
  accepts: ['categorical', 'numerical'],
  defaultThreshold: 0.1,
  source: 'Evidently "kl_div": scipy.stats.entropy(ref, cur) on filled Evidently bins, threshold 0.1',
  run(col, options) {
    const { reference, current } = binnedShares(col, true);
    return distanceResult(klDivergence(reference, current), thresholdOf(this, options));
  },
};

/**
 * Evidently's Hellinger distance: categories by share; numbers by density histograms on Sturges edges over
 * the distinct values of both samples, the Bhattacharyya coefficient clipped to [0, 1].
 */
export function hellinger(col: Parameters<DriftTest['run']>[0]): number {
  let bc = 0;
  if (col.kind === 'categorical') {
    const c = categoryCounts(col);
    for (let i = 0; i < c.keys.length; i++)
      bc += Math.sqrt(((c.reference[i] as number) / c.nReference) * ((c.current[i] as number) / c.nCurrent));
  } else {
    const keys = [...new Set([...col.reference, ...col.current])];
    let lo = Infinity;
    let hi = -Infinity;
    for (const k of keys) {
      lo = Math.min(lo, k);
      hi = Math.max(hi, k);
    }
    const edges = sturgesEdges(lo, hi, keys.length);
    const h1 = density(histogram(col.reference, edges), edges);
    const h2 = density(histogram(col.current, edges), edges);
    const width = ((edges[edges.length - 1] as number) - (edges[0] as number)) / (edges.length - 1);
    for (let i = 0; i < h1.length; i++) bc += Math.sqrt((h1[i] as number) * (h2[i] as number)) * width;
  }
  bc = Math.min(1, Math.max(0, bc));
  return Math.sqrt(1 - bc);
}

function density(counts: Float64Array, edges: Float64Array): Float64Array {
  let total = 0;
  for (const c of counts) total += c;
  return counts.map((c, i) => c / total / ((edges[i + 1] as number) - (edges[i] as number)));
}

export const hellingerTest: DriftTest = {
  name: 'hellinger',
  output: 'distance',
  accepts: ['categorical', 'numerical'],
  defaultThreshold: 0.1,
  source: 'Evidently "hellinger": threshold 0.1, drift when >=',
  run(col, options) {
    return distanceResult(hellinger(col), thresholdOf(this, options));
  },
};
