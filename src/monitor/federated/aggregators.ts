import { monitorError } from '../errors.js';

/** How a server combines client updates into one: the unit a Byzantine-robust FL defence swaps out. */
export interface Aggregator {
  name: AggregatorName;
  /** The smallest number of clients that tolerates `f` Byzantine ones (the method's own guarantee). */
  minClients(f: number): number;
  /** Combines n updates of equal length, assuming at most `f` of them are Byzantine. */
  aggregate(updates: Float32Array[], f: number): Float32Array;
}

export const AGGREGATOR_NAMES = [
  'fedavg',
  'krum',
  'multi_krum',
  'median',
  'trimmed_mean',
  'bulyan',
  'norm_clipping',
] as const;
export type AggregatorName = (typeof AGGREGATOR_NAMES)[number];

function check(a: Aggregator, updates: Float32Array[], f: number): number {
  const n = updates.length;
  if (n === 0) throw monitorError('MONITOR_NO_DATA', `${a.name}: no updates to aggregate`);
  if (!(Number.isSafeInteger(f) && f >= 0))
    throw monitorError('MONITOR_INVALID_OPTION', `${a.name}: f must be >= 0`);
  if (n < a.minClients(f))
    throw monitorError(
      'MONITOR_INVALID_OPTION',
      `${a.name} needs at least ${a.minClients(f)} clients for f = ${f}, got ${n}`,
    );
  const d = (updates[0] as Float32Array).length;
  if (updates.some((u) => u.length !== d))
    throw monitorError('MONITOR_INVALID_OPTION', `${a.name}: updates differ in length`);
  return d;
}

function mean(updates: Float32Array[]): Float32Array {
  const d = (updates[0] as Float32Array).length;
  const out = new Float32Array(d);
  const acc = new Float64Array(d);
  for (const u of updates) for (let j = 0; j < d; j++) acc[j] = (acc[j] as number) + (u[j] as number);
  for (let j = 0; j < d; j++) out[j] = (acc[j] as number) / updates.length;
  return out;
}

function sqDist(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let j = 0; j < a.length; j++) s += ((a[j] as number) - (b[j] as number)) ** 2;
  return s;
}

/** Squared distances between every pair of updates (symmetric, zero diagonal). */
function distanceMatrix(updates: Float32Array[]): Float64Array {
  const n = updates.length;
  const D = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++) {
      const d = sqDist(updates[i] as Float32Array, updates[j] as Float32Array);
      D[i * n + j] = d;
      D[j * n + i] = d;
    }
  return D;
}

/** Krum scores of the updates `pool` (indices into a distance matrix of size n): n_pool - f - 2 nearest. */
function krumScoresFrom(D: Float64Array, n: number, pool: number[], f: number): number[] {
  const k = Math.max(1, pool.length - f - 2);
  return pool.map((i) => {
    const row = pool.filter((j) => j !== i).map((j) => D[i * n + j] as number);
    row.sort((a, b) => a - b);
    let t = 0;
    for (let q = 0; q < Math.min(k, row.length); q++) t += row[q] as number;
    return t;
  });
}

/** Krum scores: each update's summed squared distance to its n - f - 2 nearest others (Blanchard et al. 2017). */
export function krumScores(updates: Float32Array[], f: number): number[] {
  const n = updates.length;
  return krumScoresFrom(
    distanceMatrix(updates),
    n,
    Array.from({ length: n }, (_, i) => i),
    f,
  );
}

/** Lexicographic order of two updates: breaks exact score ties by content, so client order never matters. */
function byContent(a: Float32Array, b: Float32Array): number {
  for (let j = 0; j < a.length; j++) if (a[j] !== b[j]) return (a[j] as number) - (b[j] as number);
  return 0;
}

function lowest(scores: number[], m: number, updates: Float32Array[]): number[] {
  return scores
    .map((s, i) => [s, i] as const)
    .sort((a, b) => a[0] - b[0] || byContent(updates[a[1]] as Float32Array, updates[b[1]] as Float32Array))
    .slice(0, m)
    .map(([, i]) => i);
}

/** Per coordinate: sorts the n values into `col` and lets `reduce` pick the answer. */
function coordinatewise(updates: Float32Array[], reduce: (sorted: Float64Array) => number): Float32Array {
  const n = updates.length;
  const d = (updates[0] as Float32Array).length;
  const out = new Float32Array(d);
  const col = new Float64Array(n);
  for (let j = 0; j < d; j++) {
    for (let i = 0; i < n; i++) col[i] = (updates[i] as Float32Array)[j] as number;
    col.sort();
    out[j] = reduce(col);
  }
  return out;
}

const median = (s: Float64Array): number => {
  const n = s.length;
  return n % 2 ? (s[(n - 1) / 2] as number) : ((s[n / 2 - 1] as number) + (s[n / 2] as number)) / 2;
};

export const fedAvg: Aggregator = {
  name: 'fedavg',
  minClients: () => 1,
  aggregate(updates, f) {
    check(this, updates, f);
    return mean(updates);
  },
};

export const krum: Aggregator = {
  name: 'krum',
  minClients: (f) => 2 * f + 3,
  aggregate(updates, f) {
    check(this, updates, f);
    return Float32Array.from(
      updates[lowest(krumScores(updates, f), 1, updates)[0] as number] as Float32Array,
    );
  },
};

export const multiKrum: Aggregator = {
  name: 'multi_krum',
  minClients: (f) => 2 * f + 3,
  aggregate(updates, f) {
    check(this, updates, f);
    // the m = n - f best-scored updates, averaged
    return mean(
      lowest(krumScores(updates, f), updates.length - f, updates).map((i) => updates[i] as Float32Array),
    );
  },
};

export const coordinateMedian: Aggregator = {
  name: 'median',
  minClients: (f) => 2 * f + 1,
  aggregate(updates, f) {
    check(this, updates, f);
    return coordinatewise(updates, median);
  },
};

export const trimmedMean: Aggregator = {
  name: 'trimmed_mean',
  minClients: (f) => 2 * f + 1,
  aggregate(updates, f) {
    check(this, updates, f);
    const n = updates.length;
    return coordinatewise(updates, (s) => {
      let t = 0;
      for (let i = f; i < n - f; i++) t += s[i] as number;
      return t / (n - 2 * f);
    });
  },
};

export const bulyan: Aggregator = {
  name: 'bulyan',
  minClients: (f) => 4 * f + 3,
  aggregate(updates, f) {
    check(this, updates, f);
    // El Mhamdi et al. 2018: theta = n - 2f updates chosen by repeated Krum, then per coordinate the
    // beta = theta - 2f values closest to the median are averaged
    const n = updates.length;
    const D = distanceMatrix(updates);
    const remaining = updates.map((_, i) => i);
    const chosen: Float32Array[] = [];
    const theta = n - 2 * f;
    while (chosen.length < theta) {
      const pool = remaining.map((i) => updates[i] as Float32Array);
      const best = lowest(krumScoresFrom(D, n, remaining, f), 1, pool)[0] as number;
      chosen.push(pool[best] as Float32Array);
      remaining.splice(best, 1);
    }
    const beta = theta - 2 * f;
    return coordinatewise(chosen, (s) => {
      // the beta values nearest the median form a window of the sorted column: grow it from the middle
      const med = median(s);
      let lo = Math.floor((s.length - 1) / 2);
      let hi = lo;
      while (hi - lo + 1 < beta) {
        const left = lo > 0 ? med - (s[lo - 1] as number) : Infinity;
        const right = hi < s.length - 1 ? (s[hi + 1] as number) - med : Infinity;
        if (left <= right) lo--;
        else hi++;
      }
      let t = 0;
      for (let i = lo; i <= hi; i++) t += s[i] as number;
      return t / beta;
    });
  },
};

/** Norm clipping (Sun et al. 2019): updates longer than tau (default: the median norm) are scaled to tau. */
export function normClipping(tau?: number): Aggregator {
  return {
    name: 'norm_clipping',
    minClients: () => 1,
    aggregate(updates, f) {
      check(this, updates, f);
      const norms = updates.map((u) => Math.sqrt(sqDist(u, new Float32Array(u.length))));
      const t = tau ?? median(Float64Array.from(norms).sort());
      return mean(
        updates.map((u, i) => {
          const s = (norms[i] as number) > t && (norms[i] as number) > 0 ? t / (norms[i] as number) : 1;
          return s === 1 ? u : u.map((v) => v * s);
        }),
      );
    },
  };
}

/** Every aggregator, one per name. */
export const AGGREGATORS: readonly Aggregator[] = [
  fedAvg,
  krum,
  multiKrum,
  coordinateMedian,
  trimmedMean,
  bulyan,
  normClipping(),
];

export function getAggregator(name: string): Aggregator {
  const a = AGGREGATORS.find((x) => x.name === name);
  if (!a)
    throw monitorError(
      'MONITOR_INVALID_OPTION',
      `unknown aggregator "${name}"; known: ${AGGREGATOR_NAMES.join(', ')}`,
    );
  return a;
}
