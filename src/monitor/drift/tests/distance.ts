import { sorted, variance } from '../../stats/describe.js';
import type { DriftTest } from '../types.js';
import { distanceResult, numbers, thresholdOf } from './common.js';

/** The integral of |F_u - F_v|^p over the merged support (scipy's _cdf_distance for p = 1 and 2). */
function cdfDistance(p: 1 | 2, u: ArrayLike<number>, v: ArrayLike<number>): number {
  const us = sorted(u);
  const vs = sorted(v);
  const all = new Float64Array(us.length + vs.length);
  all.set(us);
  all.set(vs, us.length);
  all.sort();
  let sum = 0;
  let iu = 0;
  let iv = 0;
  for (let i = 0; i + 1 < all.length; i++) {
    const delta = (all[i + 1] as number) - (all[i] as number);
    if (delta === 0) continue;
    const x = all[i] as number;
    // searchsorted(side='right') of a rising x: the counts only move forward
    while (iu < us.length && (us[iu] as number) <= x) iu++;
    while (iv < vs.length && (vs[iv] as number) <= x) iv++;
    const fu = iu / us.length;
    const fv = iv / vs.length;
    sum += p === 1 ? Math.abs(fu - fv) * delta : (fu - fv) ** 2 * delta;
  }
  return p === 1 ? sum : Math.sqrt(sum);
}

/** scipy.stats.wasserstein_distance(u, v): the first Wasserstein distance of two samples. */
export function wasserstein(u: ArrayLike<number>, v: ArrayLike<number>): number {
  return cdfDistance(1, u, v);
}

/** scipy.stats.energy_distance(u, v) = sqrt(2) * the L2 distance of the CDFs. */
export function energyDistance(u: ArrayLike<number>, v: ArrayLike<number>): number {
  return Math.SQRT2 * cdfDistance(2, u, v);
}

export const wassersteinTest: DriftTest = {
  name: 'wasserstein',
  output: 'distance',
  accepts: ['numerical'],
  defaultThreshold: 0.1,
  source:
    "scipy.stats.wasserstein_distance in the column's units (threshold ours: 0.1; prefer wasserstein_norm)",
  run(col, options) {
    const { reference, current } = numbers('wasserstein', col);
    return distanceResult(wasserstein(reference, current), thresholdOf(this, options));
  },
};

export const wassersteinNormTest: DriftTest = {
  name: 'wasserstein_norm',
  output: 'distance',
  accepts: ['numerical'],
  defaultThreshold: 0.1,
  source: 'Evidently "wasserstein": distance / max(std(reference), 0.001), threshold 0.1, drift when >=',
  run(col, options) {
    const { reference, current } = numbers('wasserstein_norm', col);
    const norm = Math.max(Math.sqrt(variance(reference)), 0.001);
    return distanceResult(wasserstein(reference, current) / norm, thresholdOf(this, options));
  },
};

export const energyTest: DriftTest = {
  name: 'energy',
  output: 'distance',
  accepts: ['numerical'],
  defaultThreshold: 0.1,
  source: 'scipy.stats.energy_distance; Evidently "ed": threshold 0.1, drift when > threshold',
  run(col, options) {
    const { reference, current } = numbers('energy', col);
    return distanceResult(energyDistance(reference, current), thresholdOf(this, options), true);
  },
};
