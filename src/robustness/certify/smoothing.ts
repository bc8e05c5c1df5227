import { seededRandom } from '../../core/index.js';
import { robustnessError } from '../errors.js';
import { argmax, type Classifier } from '../evaluate.js';
import { gaussian } from '../attacks/grad-session.js';
import { certifiedRadius } from './radius.js';
import { betaInc } from '../../core/index.js';

/** Randomized smoothing knobs (Cohen et al. 2019): noise level, sample counts, failure probability. */
export interface SmoothingOptions {
  sigma: number;
  /** Samples used to guess the top class (CERTIFY's n0). */
  n0?: number;
  /** Samples used to bound its probability (CERTIFY's n; PREDICT's n). */
  n: number;
  alpha: number;
  /** Noisy copies per classifier call. */
  batch?: number;
  seed?: number;
}

/** CERTIFY's answer for one input: the class and its certified L2 radius, or ABSTAIN (prediction null). */
export interface SmoothedCertificate {
  prediction: number | null;
  pALower: number;
  radius: number | null;
  /** Votes for the guessed class among the n samples. */
  nA: number;
}

/** PREDICT's answer: the top class unless the binomial test cannot separate it from the runner-up. */
export interface SmoothedPrediction {
  prediction: number | null;
  nA: number;
  nB: number;
  pValue: number;
}

function check(o: SmoothingOptions): void {
  if (!(o.sigma > 0) || !Number.isFinite(o.sigma))
    throw robustnessError('DATA_INVALID', 'sigma must be positive', { kind: 'usage' });
  for (const [k, v] of [
    ['n', o.n],
    ['n0', o.n0 ?? 1],
    ['batch', o.batch ?? 1],
  ] as const)
    if (!Number.isSafeInteger(v) || v < 1)
      throw robustnessError('DATA_INVALID', `${k} must be a positive integer`, { kind: 'usage' });
  if (!(o.alpha > 0 && o.alpha < 1))
    throw robustnessError('DATA_INVALID', 'alpha must be in (0, 1)', { kind: 'usage' });
}

/** Class counts of the base classifier on `num` Gaussian-noised copies of one input (no clipping, as Cohen et al.). */
export async function noisyCounts(
  clf: Classifier,
  x: Float32Array,
  num: number,
  sigma: number,
  batch: number,
  rnd: () => number,
): Promise<Uint32Array> {
  const per = x.length;
  const counts = new Uint32Array(clf.classes);
  for (let done = 0; done < num; done += batch) {
    const m = Math.min(batch, num - done);
    const noisy = new Float32Array(m * per);
    for (let i = 0; i < m; i++)
      for (let k = 0; k < per; k++) noisy[i * per + k] = (x[k] as number) + sigma * gaussian(rnd);
    for (const c of argmax(await clf.logits(noisy, m), clf.classes, m)) counts[c] = (counts[c] as number) + 1;
  }
  return counts;
}

function top(counts: Uint32Array): [number, number] {
  let a = 0;
  let b = -1;
  for (let c = 1; c < counts.length; c++) {
    if ((counts[c] as number) > (counts[a] as number)) [a, b] = [c, a];
    else if (b < 0 || (counts[c] as number) > (counts[b] as number)) b = c;
  }
  return [a, b < 0 ? (a === 0 ? 1 : 0) : b];
}

/** CERTIFY: guess the top class from n0 samples, bound its probability from n fresh samples, radius or ABSTAIN. */
export async function certifySmoothed(
  clf: Classifier,
  x: Float32Array,
  o: SmoothingOptions,
): Promise<SmoothedCertificate> {
  check(o);
  const rnd = seededRandom(o.seed ?? 0);
  const batch = o.batch ?? 1000;
  const guess = top(await noisyCounts(clf, x, o.n0 ?? 100, o.sigma, batch, rnd))[0];
  const nA = (await noisyCounts(clf, x, o.n, o.sigma, batch, rnd))[guess] as number;
  const c = certifiedRadius(o.n, nA, o.alpha, o.sigma);
  return { prediction: c.radius === null ? null : guess, pALower: c.pALower, radius: c.radius, nA };
}

/** Two-sided exact binomial test of nA successes in nA + nB trials against p = 1/2 (as scipy's binomtest). */
export function binomialTestHalf(nA: number, nB: number): number {
  const n = nA + nB;
  if (n === 0 || nA === nB) return 1;
  const k = Math.max(nA, nB);
  // P(X >= k) for X ~ Bin(n, 1/2) is I_{1/2}(k, n - k + 1); the distribution is symmetric
  return Math.min(1, 2 * betaInc(0.5, k, n - k + 1));
}

/** PREDICT: the top class of n noisy samples, or ABSTAIN when the binomial test p-value exceeds alpha. */
export async function predictSmoothed(
  clf: Classifier,
  x: Float32Array,
  o: SmoothingOptions,
): Promise<SmoothedPrediction> {
  check(o);
  const counts = await noisyCounts(clf, x, o.n, o.sigma, o.batch ?? 1000, seededRandom(o.seed ?? 0));
  const [a, b] = top(counts);
  const nA = counts[a] as number;
  const nB = counts[b] as number;
  const pValue = binomialTestHalf(nA, nB);
  return { prediction: pValue <= o.alpha ? a : null, nA, nB, pValue };
}
