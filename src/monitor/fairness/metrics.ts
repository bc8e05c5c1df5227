import { seededRandom } from '../../core/index.js';
import { monitorError } from '../errors.js';
import { normPpf } from '../../core/index.js';

/** Binary outcomes per row (1 = the favourable/positive label) and each row's group. */
export interface FairnessInput {
  yTrue: Uint8Array;
  yPred: Uint8Array;
  groups: string[];
}

export interface FairnessOptions {
  /** The privileged group: enables AIF360's signed unprivileged-minus-privileged metrics. */
  privileged?: string;
  /** Confidence level of the intervals (default 0.95). */
  confidence?: number;
  /** Bootstrap resamples for the between-group metrics (default 500; 0 = none). */
  bootstrap?: number;
  seed?: number;
}

/** Per-group rates with Wilson score intervals. */
export interface GroupMetrics {
  count: number;
  selection_rate: number;
  true_positive_rate: number;
  false_positive_rate: number;
  false_negative_rate: number;
  true_negative_rate: number;
  positive_predictive_value: number;
  accuracy: number;
  base_rate: number;
  intervals: Record<string, [number, number]>;
}

export interface FairnessResult {
  metrics: Record<string, number>;
  groups: Record<string, GroupMetrics>;
  intervals: Record<string, [number, number]>;
}

/** Wilson score interval of k successes in n trials at confidence level `conf`. */
export function wilsonInterval(k: number, n: number, conf = 0.95): [number, number] {
  if (n === 0) return [NaN, NaN];
  const z = normPpf(1 - (1 - conf) / 2);
  const p = k / n;
  const den = 1 + (z * z) / n;
  const centre = (p + (z * z) / (2 * n)) / den;
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / den;
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

interface Counts {
  n: number;
  tp: number;
  fp: number;
  tn: number;
  fn: number;
}

function countsByGroup(x: FairnessInput, idx: ArrayLike<number>): Map<string, Counts> {
  const m = new Map<string, Counts>();
  for (let k = 0; k < idx.length; k++) {
    const i = idx[k] as number;
    const g = x.groups[i] as string;
    let c = m.get(g);
    if (!c) m.set(g, (c = { n: 0, tp: 0, fp: 0, tn: 0, fn: 0 }));
    c.n++;
    const t = x.yTrue[i] === 1;
    const p = x.yPred[i] === 1;
    if (t && p) c.tp++;
    else if (!t && p) c.fp++;
    else if (!t && !p) c.tn++;
    else c.fn++;
  }
  return m;
}

const rate = (a: number, b: number): number => (b === 0 ? NaN : a / b);
const sr = (c: Counts): number => rate(c.tp + c.fp, c.n);
const tpr = (c: Counts): number => rate(c.tp, c.tp + c.fn);
const fpr = (c: Counts): number => rate(c.fp, c.fp + c.tn);
const ppv = (c: Counts): number => rate(c.tp, c.tp + c.fp);

/** max - min and min / max over groups, skipping groups where the rate is undefined (as pandas does). */
function spread(values: number[]): { difference: number; ratio: number } {
  const v = values.filter((x) => !Number.isNaN(x));
  if (v.length === 0) return { difference: NaN, ratio: NaN };
  const hi = Math.max(...v);
  const lo = Math.min(...v);
  return { difference: hi - lo, ratio: hi === 0 ? (lo === 0 ? NaN : 0) : lo / hi };
}

/**
 * AIF360's generalized entropy index of the benefits b = 1 + y_pred - y_true: alpha = 1 is the Theil index,
 * alpha = 0 the mean log deviation (divided by the mean benefit, as AIF360 does).
 */
export function generalizedEntropyIndex(b: ArrayLike<number>, alpha = 2): number {
  let mu = 0;
  for (let i = 0; i < b.length; i++) mu += b[i] as number;
  mu /= b.length;
  let s = 0;
  for (let i = 0; i < b.length; i++) {
    const r = (b[i] as number) / mu;
    if (alpha === 1) s += r === 0 ? 0 : r * Math.log(r);
    else if (alpha === 0) s += -Math.log(r) / mu;
    else s += r ** alpha - 1;
  }
  s /= b.length;
  return alpha === 1 || alpha === 0 ? s : s / (alpha * (alpha - 1));
}

function between(x: FairnessInput, idx: ArrayLike<number>, opts: FairnessOptions): Record<string, number> {
  const byGroup = countsByGroup(x, idx);
  const groups = [...byGroup.values()];
  const dp = spread(groups.map(sr));
  const tp = spread(groups.map(tpr));
  const fp = spread(groups.map(fpr));
  const pp = spread(groups.map(ppv));
  const out: Record<string, number> = {
    demographic_parity_difference: dp.difference,
    demographic_parity_ratio: dp.ratio,
    equalized_odds_difference: Math.max(tp.difference, fp.difference),
    equalized_odds_ratio: Math.min(tp.ratio, fp.ratio),
    equal_opportunity_difference: tp.difference,
    equal_opportunity_ratio: tp.ratio,
    predictive_parity_difference: pp.difference,
    predictive_parity_ratio: pp.ratio,
    disparate_impact: dp.ratio,
  };
  if (opts.privileged !== undefined) {
    const priv = byGroup.get(opts.privileged);
    const un: Counts = { n: 0, tp: 0, fp: 0, tn: 0, fn: 0 };
    for (const [g, c] of byGroup)
      if (g !== opts.privileged) for (const k of ['n', 'tp', 'fp', 'tn', 'fn'] as const) un[k] += c[k];
    if (priv) {
      out.disparate_impact = rate(sr(un), sr(priv));
      out.statistical_parity_difference = sr(un) - sr(priv);
      out.average_odds_difference = 0.5 * (fpr(un) - fpr(priv) + (tpr(un) - tpr(priv)));
      out.true_positive_rate_difference = tpr(un) - tpr(priv);
    }
  }
  // benefits b_i = 1 + yhat_i - y_i; between-group indices replace each b by its group's mean
  const b = new Float64Array(idx.length);
  const sums = new Map<string, [number, number]>();
  for (let k = 0; k < idx.length; k++) {
    const i = idx[k] as number;
    b[k] = 1 + (x.yPred[i] as number) - (x.yTrue[i] as number);
    const s = sums.get(x.groups[i] as string) ?? [0, 0];
    s[0] += b[k] as number;
    s[1]++;
    sums.set(x.groups[i] as string, s);
  }
  const bg = Float64Array.from({ length: idx.length }, (_, k) => {
    const s = sums.get(x.groups[idx[k] as number] as string) as [number, number];
    return s[0] / s[1];
  });
  out.theil_index = generalizedEntropyIndex(b, 1);
  out.generalized_entropy_index = generalizedEntropyIndex(b, 2);
  out.between_all_groups_theil_index = generalizedEntropyIndex(bg, 1);
  out.between_all_groups_generalized_entropy_index = generalizedEntropyIndex(bg, 2);
  let pos = 0;
  let correct = 0;
  for (let k = 0; k < idx.length; k++) {
    const i = idx[k] as number;
    pos += x.yPred[i] as number;
    if (x.yPred[i] === x.yTrue[i]) correct++;
  }
  out.selection_rate = pos / idx.length;
  out.accuracy = correct / idx.length;
  return out;
}

/**
 * Group fairness of binary predictions with Fairlearn's and AIF360's metric names: between-group spreads
 * (max - min, min / max), AIF360's signed metrics against a privileged group, and inequality indices;
 * Wilson intervals for every group rate and seeded percentile-bootstrap intervals for the metrics.
 */
export function fairnessMetrics(x: FairnessInput, opts: FairnessOptions = {}): FairnessResult {
  const n = x.groups.length;
  if (n === 0) throw monitorError('MONITOR_NO_DATA', 'no rows to assess');
  if (x.yTrue.length !== n || x.yPred.length !== n)
    throw monitorError('MONITOR_COLUMN_INVALID', 'labels, predictions and groups differ in length');
  const conf = opts.confidence ?? 0.95;
  if (!(conf > 0 && conf < 1))
    throw monitorError('MONITOR_INVALID_OPTION', `confidence must be in (0, 1), got ${conf}`);
  const all = Int32Array.from({ length: n }, (_, i) => i);
  if (opts.privileged !== undefined && !x.groups.includes(opts.privileged))
    throw monitorError('MONITOR_INVALID_OPTION', `no row has the privileged group "${opts.privileged}"`);
  const metrics = between(x, all, opts);
  const groups: Record<string, GroupMetrics> = {};
  for (const [g, c] of [...countsByGroup(x, all)].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const w = (k: number, m: number): [number, number] => wilsonInterval(k, m, conf);
    groups[g] = {
      count: c.n,
      selection_rate: sr(c),
      true_positive_rate: tpr(c),
      false_positive_rate: fpr(c),
      false_negative_rate: rate(c.fn, c.tp + c.fn),
      true_negative_rate: rate(c.tn, c.fp + c.tn),
      positive_predictive_value: ppv(c),
      accuracy: rate(c.tp + c.tn, c.n),
      base_rate: rate(c.tp + c.fn, c.n),
      intervals: {
        selection_rate: w(c.tp + c.fp, c.n),
        true_positive_rate: w(c.tp, c.tp + c.fn),
        false_positive_rate: w(c.fp, c.fp + c.tn),
        positive_predictive_value: w(c.tp, c.tp + c.fp),
        accuracy: w(c.tp + c.tn, c.n),
      },
    };
  }
  const intervals: Record<string, [number, number]> = {};
  const B = opts.bootstrap ?? 500;
  if (!(Number.isSafeInteger(B) && B >= 0))
    throw monitorError('MONITOR_INVALID_OPTION', `bootstrap must be a whole number >= 0, got ${B}`);
  if (B > 0) {
    const rnd = seededRandom(opts.seed ?? 0);
    const samples = new Map<string, number[]>();
    const idx = new Int32Array(n);
    for (let r = 0; r < B; r++) {
      for (let i = 0; i < n; i++) idx[i] = Math.floor(rnd() * n);
      for (const [k, v] of Object.entries(between(x, idx, opts))) {
        if (!samples.has(k)) samples.set(k, []);
        if (!Number.isNaN(v) && Number.isFinite(v)) samples.get(k)?.push(v);
      }
    }
    for (const [k, v] of samples) {
      if (v.length === 0) continue;
      v.sort((a, b) => a - b);
      const q = (p: number): number =>
        v[Math.min(v.length - 1, Math.max(0, Math.floor(p * v.length)))] as number;
      intervals[k] = [q((1 - conf) / 2), q(1 - (1 - conf) / 2)];
    }
  }
  return { metrics, groups, intervals };
}
