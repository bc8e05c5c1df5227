// Privacy loss distributions on a grid of loss values k * interval (Google dp_accounting's PLD, the
// pessimistic variant): a pmf over the finite losses plus an atom at +infinity. Every rounding and
// truncation moves mass towards larger losses or into the infinity atom, so delta never shrinks.
import { convolve } from '../math/fft.js';

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

/** `count` self-compositions by repeated squaring, truncating after every convolution. */
export function selfComposePmf(d: LossPmf, count: number): LossPmf {
  let result: LossPmf | undefined;
  let base = d;
  for (let e = count; e > 0; e = Math.floor(e / 2)) {
    if (e % 2 === 1) result = result ? composePmf(result, base) : base;
    if (e > 1) base = composePmf(base, base);
  }
  return result as LossPmf;
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
