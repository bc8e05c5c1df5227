import { seededRandom } from '../../core/index.js';
import { monitorError } from '../errors.js';
import { byLabel, pca, sqDistance, takeRows, type Features } from './features.js';

export const POISON_DETECTOR_NAMES = [
  'spectral',
  'activation_clustering',
  'isolation_forest',
  'knn',
] as const;
export type PoisonDetectorName = (typeof POISON_DETECTOR_NAMES)[number];

export interface PoisonOptions {
  /** Upper bound on the poisoned share the defender assumes (epsilon of Tran et al.; default 0.1). */
  expectedRate?: number;
  seed?: number;
  /** Neighbours of the kNN detector (default 10). */
  k?: number;
}

/** Per-sample suspicion (higher = more suspicious) and the flagged samples. */
export interface PoisonResult {
  scores: Float64Array;
  flagged: Uint8Array;
}

/** A poisoning detector over training representations and their labels. */
export interface PoisonDetector {
  name: PoisonDetectorName;
  /** The method and its decision rule, for reports. */
  source: string;
  detect(features: Features, labels: Uint8Array, opts?: PoisonOptions): PoisonResult;
}

function rateOf(o: PoisonOptions | undefined): number {
  const r = o?.expectedRate ?? 0.1;
  if (!(r > 0 && r < 0.5))
    throw monitorError('MONITOR_INVALID_OPTION', `expected poison rate must be in (0, 0.5), got ${r}`);
  return r;
}

function check(f: Features, labels: Uint8Array): void {
  if (f.n === 0) throw monitorError('MONITOR_NO_DATA', 'no samples to scan');
  if (labels.length !== f.n)
    throw monitorError('MONITOR_INVALID_OPTION', `${f.n} samples but ${labels.length} labels`);
  if (f.data.length !== f.n * f.dim)
    throw monitorError('MONITOR_INVALID_OPTION', 'feature matrix size does not match n x dim');
}

/** Flags the `count` highest scores among `rows`. */
function flagTop(scores: Float64Array, rows: number[], count: number, flagged: Uint8Array): void {
  const top = [...rows]
    .sort((a, b) => (scores[b] as number) - (scores[a] as number) || a - b)
    .slice(0, count);
  for (const r of top) flagged[r] = 1;
}

/**
 * Spectral signatures (Tran, Li, Madry 2018): within each class, the squared projection of the centred
 * representation on the top singular vector; the 1.5 * epsilon * n_c highest are removed.
 */
export const spectralSignatures: PoisonDetector = {
  name: 'spectral',
  source: 'Tran et al. 2018, top singular vector per class, remove 1.5 x epsilon per class',
  detect(f, labels, o) {
    check(f, labels);
    const eps = rateOf(o);
    const scores = new Float64Array(f.n);
    const flagged = new Uint8Array(f.n);
    for (const rows of byLabel(labels).values()) {
      if (rows.length < 3) continue;
      const { projected } = pca(takeRows(f, rows), 1);
      rows.forEach((r, k) => (scores[r] = (projected.data[k] as number) ** 2));
      flagTop(scores, rows, Math.floor(1.5 * eps * rows.length), flagged);
    }
    return { scores, flagged };
  },
};

/** Two-means with k-means++ seeding (seeded), on rows of `f`; returns the assignment. */
export function twoMeans(f: Features, rnd: () => number, iters = 50): Uint8Array {
  const n = f.n;
  const d = f.dim;
  const c = [new Float64Array(d), new Float64Array(d)];
  const first = Math.floor(rnd() * n);
  for (let j = 0; j < d; j++) (c[0] as Float64Array)[j] = f.data[first * d + j] as number;
  const dist = Float64Array.from({ length: n }, (_, i) => {
    let s = 0;
    for (let j = 0; j < d; j++)
      s += ((f.data[i * d + j] as number) - ((c[0] as Float64Array)[j] as number)) ** 2;
    return s;
  });
  const total = dist.reduce((a, b) => a + b, 0);
  let pick = rnd() * total;
  let second = n - 1;
  for (let i = 0; i < n; i++) {
    pick -= dist[i] as number;
    if (pick <= 0) {
      second = i;
      break;
    }
  }
  for (let j = 0; j < d; j++) (c[1] as Float64Array)[j] = f.data[second * d + j] as number;
  const assign = new Uint8Array(n);
  for (let it = 0; it < iters; it++) {
    let changed = false;
    for (let i = 0; i < n; i++) {
      let d0 = 0;
      let d1 = 0;
      for (let j = 0; j < d; j++) {
        const v = f.data[i * d + j] as number;
        d0 += (v - ((c[0] as Float64Array)[j] as number)) ** 2;
        d1 += (v - ((c[1] as Float64Array)[j] as number)) ** 2;
      }
      const a = d1 < d0 ? 1 : 0;
      if (a !== assign[i]) changed = true;
      assign[i] = a;
    }
    const counts = [0, 0];
    for (const ci of c) ci.fill(0);
    for (let i = 0; i < n; i++) {
      const a = assign[i] as number;
      counts[a] = (counts[a] as number) + 1;
      for (let j = 0; j < d; j++)
        (c[a] as Float64Array)[j] = ((c[a] as Float64Array)[j] as number) + (f.data[i * d + j] as number);
    }
    for (let a = 0; a < 2; a++)
      for (let j = 0; j < d; j++)
        (c[a] as Float64Array)[j] = ((c[a] as Float64Array)[j] as number) / Math.max(1, counts[a] as number);
    if (!changed && it > 0) break;
  }
  return assign;
}

/** Mean silhouette coefficient of a two-cluster assignment (exact, O(n^2)). */
export function silhouette(f: Features, assign: Uint8Array): number {
  const n = f.n;
  const size = [0, 0];
  for (const a of assign) size[a] = (size[a] as number) + 1;
  if ((size[0] as number) < 2 || (size[1] as number) < 2) return 0;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const sums = [0, 0];
    for (let j = 0; j < n; j++) {
      if (i === j) continue;
      sums[assign[j] as number] = (sums[assign[j] as number] as number) + Math.sqrt(sqDistance(f, i, f, j));
    }
    const own = assign[i] as number;
    const a = (sums[own] as number) / ((size[own] as number) - 1);
    const b = (sums[1 - own] as number) / (size[1 - own] as number);
    total += (b - a) / Math.max(a, b);
  }
  return total / n;
}

/**
 * Activation clustering (Chen et al. 2018): per class, reduce to 10 principal components and split in two
 * with 2-means. The smaller cluster is judged by exclusionary reclassification, approximated in activation
 * space instead of by retraining: each of its samples goes to the nearest of the larger cluster's centroid
 * and the other classes' centroids; when most land in other classes the cluster is poisoned and flagged.
 * (The paper's relative-size rule, smaller cluster under 35%, fails when the poison concentrates in the
 * target class, which a 5% backdoor already does on MNIST.) Scores: the silhouette of the class's split,
 * on at most 1,000 seeded rows, for samples of its smaller cluster.
 */
export const activationClustering: PoisonDetector = {
  name: 'activation_clustering',
  source:
    'Chen et al. 2018: 10 PCs and 2-means per class; smaller cluster flagged when most of it reclassifies elsewhere',
  detect(f, labels, o) {
    check(f, labels);
    const rnd = seededRandom(o?.seed ?? 0);
    const scores = new Float64Array(f.n);
    const flagged = new Uint8Array(f.n);
    const classes = byLabel(labels);
    const centroids = new Map([...classes].map(([c, rows]) => [c, centroidOf(f, rows)]));
    for (const [c, rows] of classes) {
      if (rows.length < 4) continue;
      const { projected } = pca(takeRows(f, rows), 10);
      const assign = twoMeans(projected, rnd);
      const ones = assign.reduce((s, a) => s + a, 0);
      const small = ones <= rows.length - ones ? 1 : 0;
      const smallRows = rows.filter((_, k) => assign[k] === small);
      const large = centroidOf(
        f,
        rows.filter((_, k) => assign[k] !== small),
      );
      let elsewhere = 0;
      for (const r of smallRows) {
        let best = distTo(f, r, large);
        let label = c;
        for (const [o2, mu] of centroids) {
          if (o2 === c) continue;
          const d = distTo(f, r, mu);
          if (d < best) {
            best = d;
            label = o2;
          }
        }
        if (label !== c) elsewhere++;
      }
      let sample = Array.from({ length: rows.length }, (_, i) => i);
      if (sample.length > 1000) {
        for (let i = 0; i < 1000; i++) {
          const j = i + Math.floor(rnd() * (sample.length - i));
          [sample[i], sample[j]] = [sample[j] as number, sample[i] as number];
        }
        sample = sample.slice(0, 1000);
      }
      const sil = silhouette(
        takeRows(projected, sample),
        Uint8Array.from(sample, (i) => assign[i] as number),
      );
      rows.forEach((r, k) => (scores[r] = assign[k] === small ? sil : 0));
      if (smallRows.length > 0 && elsewhere / smallRows.length > 0.5)
        for (const r of smallRows) flagged[r] = 1;
    }
    return { scores, flagged };
  },
};

function centroidOf(f: Features, rows: number[]): Float64Array {
  const mu = new Float64Array(f.dim);
  for (const r of rows)
    for (let j = 0; j < f.dim; j++) mu[j] = (mu[j] as number) + (f.data[r * f.dim + j] as number);
  return mu.map((v) => v / Math.max(1, rows.length));
}

function distTo(f: Features, r: number, mu: Float64Array): number {
  let s = 0;
  for (let j = 0; j < f.dim; j++) s += ((f.data[r * f.dim + j] as number) - (mu[j] as number)) ** 2;
  return s;
}

/** Expected path length of an unsuccessful search in a binary search tree of n nodes: c(n) of Liu et al. */
function cFactor(n: number): number {
  if (n <= 1) return 0;
  if (n === 2) return 1;
  return 2 * (Math.log(n - 1) + 0.5772156649015329) - (2 * (n - 1)) / n;
}

/**
 * Isolation forest (Liu, Ting, Zhou 2008): 100 trees on seeded subsamples of 256, anomaly score
 * 2^(-E[h(x)] / c(256)); per class on 10 principal components, the epsilon share with the highest scores
 * is flagged.
 */
export const isolationForest: PoisonDetector = {
  name: 'isolation_forest',
  source: 'Liu et al. 2008: 100 trees, subsample 256, per class on 10 PCs, top epsilon flagged',
  detect(f, labels, o) {
    check(f, labels);
    const eps = rateOf(o);
    const rnd = seededRandom(o?.seed ?? 0);
    const scores = new Float64Array(f.n);
    const flagged = new Uint8Array(f.n);
    for (const rows of byLabel(labels).values()) {
      if (rows.length < 4) continue;
      const x = pca(takeRows(f, rows), 10).projected;
      const psi = Math.min(256, x.n);
      const limit = Math.ceil(Math.log2(psi));
      const depth = new Float64Array(x.n);
      for (let t = 0; t < 100; t++) {
        const sample = Array.from({ length: x.n }, (_, i) => i);
        for (let i = 0; i < psi; i++) {
          const j = i + Math.floor(rnd() * (x.n - i));
          [sample[i], sample[j]] = [sample[j] as number, sample[i] as number];
        }
        const tree = grow(x, sample.slice(0, psi), 0, limit, rnd);
        for (let i = 0; i < x.n; i++) depth[i] = (depth[i] as number) + pathLength(tree, x, i, 0);
      }
      const c = cFactor(psi);
      rows.forEach((r, k) => (scores[r] = 2 ** (-((depth[k] as number) / 100) / c)));
      flagTop(scores, rows, Math.floor(eps * rows.length), flagged);
    }
    return { scores, flagged };
  },
};

type ITree = { size: number } | { dim: number; split: number; left: ITree; right: ITree };

function grow(x: Features, rows: number[], depth: number, limit: number, rnd: () => number): ITree {
  if (depth >= limit || rows.length <= 1) return { size: rows.length };
  const dim = Math.floor(rnd() * x.dim);
  let lo = Infinity;
  let hi = -Infinity;
  for (const r of rows) {
    const v = x.data[r * x.dim + dim] as number;
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  if (lo === hi) return { size: rows.length };
  const split = lo + rnd() * (hi - lo);
  const left = rows.filter((r) => (x.data[r * x.dim + dim] as number) < split);
  const right = rows.filter((r) => (x.data[r * x.dim + dim] as number) >= split);
  return {
    dim,
    split,
    left: grow(x, left, depth + 1, limit, rnd),
    right: grow(x, right, depth + 1, limit, rnd),
  };
}

function pathLength(t: ITree, x: Features, i: number, depth: number): number {
  if ('size' in t) return depth + cFactor(t.size);
  return pathLength((x.data[i * x.dim + t.dim] as number) < t.split ? t.left : t.right, x, i, depth + 1);
}

/**
 * kNN label disagreement: the share of a sample's k nearest neighbours (on 20 principal components of all
 * samples) whose label differs from its own; flagged when most of them disagree.
 */
export const knnDisagreement: PoisonDetector = {
  name: 'knn',
  source: 'k = 10 nearest neighbours on 20 PCs; flagged when more than half carry another label',
  detect(f, labels, o) {
    check(f, labels);
    const k = o?.k ?? 10;
    if (!(Number.isSafeInteger(k) && k > 0 && k < f.n))
      throw monitorError('MONITOR_INVALID_OPTION', `k must be in [1, ${f.n - 1}]`);
    const x = pca(f, 20).projected;
    const scores = new Float64Array(f.n);
    const flagged = new Uint8Array(f.n);
    const bestD = new Float64Array(k);
    const bestI = new Int32Array(k);
    for (let i = 0; i < x.n; i++) {
      bestD.fill(Infinity);
      for (let j = 0; j < x.n; j++) {
        if (j === i) continue;
        const dd = sqDistance(x, i, x, j);
        if (dd >= (bestD[k - 1] as number)) continue;
        let p = k - 1;
        while (p > 0 && (bestD[p - 1] as number) > dd) {
          bestD[p] = bestD[p - 1] as number;
          bestI[p] = bestI[p - 1] as number;
          p--;
        }
        bestD[p] = dd;
        bestI[p] = j;
      }
      let other = 0;
      for (let q = 0; q < k; q++) if (labels[bestI[q] as number] !== labels[i]) other++;
      scores[i] = other / k;
      if (other / k > 0.5) flagged[i] = 1;
    }
    return { scores, flagged };
  },
};

/** Every poisoning detector, one per name. */
export const POISON_DETECTORS: readonly PoisonDetector[] = [
  spectralSignatures,
  activationClustering,
  isolationForest,
  knnDisagreement,
];

export function getPoisonDetector(name: string): PoisonDetector {
  const d = POISON_DETECTORS.find((x) => x.name === name);
  if (!d)
    throw monitorError(
      'MONITOR_INVALID_OPTION',
      `unknown detector "${name}"; known: ${POISON_DETECTOR_NAMES.join(', ')}`,
    );
  return d;
}
