// Privacy loss distributions on a grid of loss values k * interval (Google dp_accounting's PLD, the
// pessimistic variant): a pmf over the finite losses plus an atom at +infinity. Every rounding and
// truncation moves mass towards larger losses or into the infinity atom, so delta never shrinks.
import { circularPower, convolve, nextPowerOfTwo } from '../math/fft.js';

/** Loss pmf: p[i] is the probability of loss (offset + i) * interval; `inf` is P(loss = +infinity). */
export interface LossPmf {
  offset: number;
  p: Float64Array;
  inf: number;
}

// FFT output carries rounding noise around 1e-17 of the peak: negative bins are cleared, and tails
// below this mass are folded away (lower tail up into the first kept bin, upper tail into `inf`).
const TRUNCATION_MASS = 1e-15;

/** Drops the tails whose mass is below the truncation bound, pessimistically. */
export function truncate(d: LossPmf, tail = TRUNCATION_MASS): LossPmf {
  const p = d.p;
  for (let i = 0; i < p.length; i++) if ((p[i] as number) < 0) p[i] = 0;
  let lo = 0;
  let low = 0;
  while (lo < p.length - 1 && low + (p[lo] as number) <= tail) low += p[lo++] as number;
  let hi = p.length - 1;
  let high = 0;
  while (hi > lo && high + (p[hi] as number) <= tail) high += p[hi--] as number;
  const kept = p.slice(lo, hi + 1);
  kept[0] = (kept[0] as number) + low;
  return { offset: d.offset + lo, p: kept, inf: d.inf + high };
}

/** The loss distribution of two mechanisms run one after the other. */
export function composePmf(a: LossPmf, b: LossPmf): LossPmf {
  return truncate({
    offset: a.offset + b.offset,
    p: convolve(a.p, b.p),
    inf: 1 - (1 - a.inf) * (1 - b.inf),
  });
}

/**
 * `count` self-compositions in one FFT power, as dp_accounting does: the composed losses are kept on the
 * window outside which a Chernoff bound leaves less than TRUNCATION_MASS, and that bound is added to the
 * infinity atom, because the circular transform folds mass from beyond the window back into it (upper-tail
 * mass may land at lower losses, which alone would be optimistic).
 */
export function selfComposePmf(d: LossPmf, count: number): LossPmf {
  if (count === 1) return d;
  const { lo, hi } = chernoffWindow(d.p, count, TRUNCATION_MASS);
  const width = hi - lo + 1;
  const n = nextPowerOfTwo(Math.max(width, d.p.length));
  const x = new Float64Array(n);
  x.set(d.p);
  const r = circularPower(x, count);
  const p = new Float64Array(width);
  for (let s = lo; s <= hi; s++) p[s - lo] = r[s % n] as number;
  return truncate({
    offset: d.offset * count + lo,
    p,
    inf: 1 - (1 - d.inf) ** count + TRUNCATION_MASS,
  });
}

/**
 * Index sums [lo, hi] of `count` draws from pmf p (indices 0..p.length-1) outside which at most `tail`
 * of the mass lies: for each of a range of lambda, P(S >= u) <= exp(count log M(lambda) - lambda u) and
 * P(S <= l) <= exp(count log M(-lambda) + lambda l), each side held to tail / 2.
 */
function chernoffWindow(p: Float64Array, count: number, tail: number): { lo: number; hi: number } {
  let mass = 0;
  let mean = 0;
  for (let i = 0; i < p.length; i++) {
    mass += p[i] as number;
    mean += (p[i] as number) * i;
  }
  mean /= mass;
  let variance = 0;
  for (let i = 0; i < p.length; i++) variance += (p[i] as number) * (i - mean) ** 2;
  const scale = Math.sqrt(Math.max(variance / mass, 1e-12) * count);
  const full = count * (p.length - 1);
  const logHalf = Math.log(tail / 2);
  const logs = p.map((v) => (v > 0 ? Math.log(v) : -Infinity));
  let lo = 0;
  let hi = full;
  for (let k = 0; k < 24; k++) {
    const lambda = 10 ** (-2 + (4 * k) / 23) / scale;
    hi = Math.min(hi, Math.ceil((count * logMgf(logs, lambda) - logHalf) / lambda));
    lo = Math.max(lo, Math.floor((logHalf - count * logMgf(logs, -lambda)) / lambda));
  }
  hi = Math.max(0, Math.min(full, hi));
  return { lo: Math.min(Math.max(0, lo), hi), hi };
}

/** log sum_i e^(logs[i] + lambda i), computed without overflow. */
function logMgf(logs: Float64Array, lambda: number): number {
  let max = -Infinity;
  for (let i = 0; i < logs.length; i++) max = Math.max(max, (logs[i] as number) + lambda * i);
  let sum = 0;
  for (let i = 0; i < logs.length; i++) sum += Math.exp((logs[i] as number) + lambda * i - max);
  return max + Math.log(sum);
}

/**
 * delta(epsilon) = P(inf) + sum over losses l > epsilon of p(l) (1 - exp(epsilon - l)): the
 * hockey-stick divergence the pmf represents.
 */
export function pmfDelta(d: LossPmf, epsilon: number, interval: number): number {
  let delta = d.inf;
  for (let i = d.p.length - 1; i >= 0; i--) {
    const loss = (d.offset + i) * interval;
    if (loss <= epsilon) break;
    delta += (d.p[i] as number) * -Math.expm1(epsilon - loss);
  }
  return Math.min(1, delta);
}

/** Smallest epsilon >= 0 with delta(epsilon) <= delta; delta(eps) = A - e^eps B between grid points. */
export function pmfEpsilon(d: LossPmf, delta: number, interval: number): number {
  if (d.inf > delta) return Infinity;
  let a = d.inf;
  let b = 0;
  for (let i = d.p.length - 1; i >= 0; i--) {
    const loss = (d.offset + i) * interval;
    a += d.p[i] as number;
    b += (d.p[i] as number) * Math.exp(-loss);
    const below = i > 0 ? (d.offset + i - 1) * interval : -Infinity;
    // On [below, loss) every grid loss >= loss counts; solve A - e^eps B = delta there.
    if (a - Math.exp(below) * b > delta) {
      const eps = Math.log((a - delta) / b);
      return Math.max(0, Math.min(loss, eps));
    }
  }
  return 0;
}
