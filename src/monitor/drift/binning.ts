import { histogram, sturgesEdges } from '../stats/describe.js';
import type { DriftColumn } from './types.js';

/** Category counts of both samples over the union of their values (reference order first). */
export interface CategoryCounts {
  keys: string[];
  reference: Float64Array;
  current: Float64Array;
  nReference: number;
  nCurrent: number;
}

export function keysOf(values: Float64Array | string[]): string[] {
  return values instanceof Float64Array ? Array.from(values, (v) => String(v)) : values;
}

export function categoryCounts(col: DriftColumn): CategoryCounts {
  const ref = keysOf(col.reference);
  const cur = keysOf(col.current);
  const index = new Map<string, number>();
  for (const v of ref) if (!index.has(v)) index.set(v, index.size);
  for (const v of cur) if (!index.has(v)) index.set(v, index.size);
  const r = new Float64Array(index.size);
  const c = new Float64Array(index.size);
  for (const v of ref) {
    const i = index.get(v) as number;
    r[i] = (r[i] as number) + 1;
  }
  for (const v of cur) {
    const i = index.get(v) as number;
    c[i] = (c[i] as number) + 1;
  }
  return { keys: [...index.keys()], reference: r, current: c, nReference: ref.length, nCurrent: cur.length };
}

export function uniqueCount(values: Float64Array | string[]): number {
  return new Set<string | number>(values).size;
}

export function minMax(a: Float64Array, b: Float64Array): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const x of [a, b])
    for (let i = 0; i < x.length; i++) {
      const v = x[i] as number;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  return [lo, hi];
}

/**
 * Evidently's binning (get_binned_data): a numerical column with more than 20 distinct reference values is
 * cut into Sturges bins over both samples together; anything else is counted per distinct value. Shares are
 * of each sample's size. With `fillZeroes`, empty bins get a small share (the smallest non-zero share / 1e6
 * when that is <= 1e-4, else 1e-4) so that logarithms stay finite, exactly as Evidently does for PSI and KL.
 */
export function binnedShares(
  col: DriftColumn,
  fillZeroes: boolean,
): { reference: Float64Array; current: Float64Array } {
  let ref: Float64Array;
  let cur: Float64Array;
  if (col.kind === 'numerical' && uniqueCount(col.reference) > 20) {
    const [lo, hi] = minMax(col.reference, col.current);
    const edges = sturgesEdges(lo, hi, col.reference.length + col.current.length);
    ref = histogram(col.reference, edges).map((c) => c / col.reference.length);
    cur = histogram(col.current, edges).map((c) => c / col.current.length);
  } else {
    const c = categoryCounts(col);
    ref = c.reference.map((v) => v / c.nReference);
    cur = c.current.map((v) => v / c.nCurrent);
  }
  if (fillZeroes) {
    fill(ref);
    fill(cur);
  }
  return { reference: ref, current: cur };
}

function fill(p: Float64Array): void {
  let min = Infinity;
  for (const v of p) if (v !== 0 && v < min) min = v;
  const tiny = min <= 0.0001 ? min / 10 ** 6 : 0.0001;
  for (let i = 0; i < p.length; i++) if (p[i] === 0) p[i] = tiny;
}
