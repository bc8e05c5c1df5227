import { SecureRandom } from '../../core/index.js';

/** How well a membership score separates members from non-members (higher score = "member"). */
export interface AttackMetrics {
  auc: number;
  balancedAccuracy: number;
  tprAt01: number;
  tprAt1: number;
}

export const METRIC_NAMES = ['auc', 'balancedAccuracy', 'tprAt01', 'tprAt1'] as const;
export type MetricName = (typeof METRIC_NAMES)[number];

/** A metric with its percentile bootstrap interval. */
export interface Interval {
  value: number;
  lo: number;
  hi: number;
}

export type AttackResult = Record<MetricName, Interval>;

/** Area under the ROC curve: the Mann-Whitney U statistic with mid-ranks for ties. */
export function auc(members: Float64Array, nonMembers: Float64Array): number {
  const all: [number, number][] = [];
  for (const s of members) all.push([s, 1]);
  for (const s of nonMembers) all.push([s, 0]);
  all.sort((a, b) => a[0] - b[0]);
  let rankSum = 0;
  for (let i = 0; i < all.length;) {
    let j = i;
    while (j < all.length && all[j]?.[0] === all[i]?.[0]) j++;
    const mid = (i + j + 1) / 2;
    for (let k = i; k < j; k++) if (all[k]?.[1] === 1) rankSum += mid;
    i = j;
  }
  const m = members.length;
  return (rankSum - (m * (m + 1)) / 2) / (m * nonMembers.length);
}

/**
 * Balanced accuracy of the best threshold, and the TPR of the strictest thresholds whose FPR stays
 * within 0.1% and 1% ("member" means score > threshold; ties never count as members).
 */
export function rocMetrics(members: Float64Array, nonMembers: Float64Array): AttackMetrics {
  const inS = Float64Array.from(members).sort().reverse();
  const outS = Float64Array.from(nonMembers).sort().reverse();
  const tprAt = (fpr: number): number => {
    const allowed = Math.floor(fpr * outS.length);
    // threshold = the (allowed+1)-th highest non-member score: at most `allowed` non-members lie above it
    const t = outS[allowed] ?? -Infinity;
    let tp = 0;
    while (tp < inS.length && (inS[tp] as number) > t) tp++;
    return tp / inS.length;
  };
  let best = 0.5;
  let i = 0;
  let j = 0;
  // sweep thresholds from high to low over every distinct score
  while (i < inS.length || j < outS.length) {
    const t = Math.max(inS[i] ?? -Infinity, outS[j] ?? -Infinity);
    while (i < inS.length && inS[i] === t) i++;
    while (j < outS.length && outS[j] === t) j++;
    const bal = (i / inS.length + (1 - j / outS.length)) / 2;
    if (bal > best) best = bal;
  }
  return {
    auc: auc(members, nonMembers),
    balancedAccuracy: best,
    tprAt01: tprAt(0.001),
    tprAt1: tprAt(0.01),
  };
}

/** Every metric with a 95% percentile bootstrap interval: members and non-members resampled separately. */
export function withIntervals(
  members: Float64Array,
  nonMembers: Float64Array,
  rounds: number,
  seed: string | number,
): AttackResult {
  const point = rocMetrics(members, nonMembers);
  const rng = new SecureRandom(`bootstrap:${seed}`);
  const draws: Record<MetricName, number[]> = { auc: [], balancedAccuracy: [], tprAt01: [], tprAt1: [] };
  const resample = (s: Float64Array): Float64Array =>
    Float64Array.from({ length: s.length }, () => s[Math.floor(rng.uniform() * s.length)] as number);
  for (let r = 0; r < rounds; r++) {
    const m = rocMetrics(resample(members), resample(nonMembers));
    for (const k of METRIC_NAMES) draws[k].push(m[k]);
  }
  const out = {} as AttackResult;
  for (const k of METRIC_NAMES) {
    const d = draws[k].sort((a, b) => a - b);
    const q = (p: number): number =>
      d[Math.min(d.length - 1, Math.max(0, Math.floor(p * d.length)))] ?? point[k];
    out[k] = { value: point[k], lo: rounds ? q(0.025) : point[k], hi: rounds ? q(0.975) : point[k] };
  }
  return out;
}

/** Points of a ROC curve: the TPR of the strictest threshold whose FPR stays within each grid FPR. */
export interface RocPoints {
  fpr: number[];
  tpr: number[];
}

/**
 * The ROC on a fixed FPR grid (0, then log-spaced from 0.1% to 100%), small enough to keep in a report; the
 * TPR at each FPR follows the same rule as `tprAt01`/`tprAt1` ("member" means score > threshold).
 */
export function rocCurve(members: Float64Array, nonMembers: Float64Array, points = 40): RocPoints {
  const inS = Float64Array.from(members).sort().reverse();
  const outS = Float64Array.from(nonMembers).sort().reverse();
  const fpr = [0];
  for (let i = 0; i < points; i++) fpr.push(10 ** (-3 + (3 * i) / (points - 1)));
  const tpr = fpr.map((f) => {
    const allowed = Math.floor(f * outS.length);
    const t = outS[allowed] ?? -Infinity;
    let tp = 0;
    while (tp < inS.length && (inS[tp] as number) > t) tp++;
    return tp / inS.length;
  });
  return { fpr, tpr };
}
