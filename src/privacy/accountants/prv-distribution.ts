// The privacy loss random variable of one Poisson-subsampled Gaussian step (Gopi, Lee, Wutschitz
// 2021, propositions B1 and B4), its truncation to a finite domain and its discretisation on a grid,
// with the mean-preserving shift of the paper.
import { privacyError } from '../errors.js';
import { quad } from '../math/numeric.js';
import { erfc } from '../../core/index.js';

const SQRT2 = Math.SQRT2;

/** CDF of the PRV of one step: 0 below log(1 - q), where the privacy loss cannot go. */
export function prvCdf(q: number, sigma: number, t: number): number {
  if (q < 1 && t <= Math.log1p(-q)) return 0;
  if (t === Infinity) return 1;
  // z = log((e^t + q - 1) / q), rearranged so neither e^t overflows nor e^t + q - 1 cancels.
  const z =
    t >= 0 ? t + Math.log1p((q - 1) * Math.exp(-t)) - Math.log(q) : Math.log(Math.expm1(t) + q) - Math.log(q);
  const s2 = sigma * sigma;
  const k = 2 * SQRT2 * sigma;
  return 1 - (q / 2) * erfc((2 * z * s2 - 1) / k) - ((1 - q) / 2) * erfc((2 * z * s2 + 1) / k);
}

/** A uniform grid t_i = tMin + i * dt, i < size, aligned on multiples of dt (as Opacus's Domain). */
export interface Grid {
  tMin: number;
  dt: number;
  size: number;
}

/** The grid covering [-L, L] with mesh dt, its ends on multiples of dt and an even point count. */
export function alignedGrid(L: number, dt: number): Grid {
  const tMin = Math.floor(-L / dt) * dt;
  const tMax = Math.ceil(L / dt) * dt;
  let size = Math.round((tMax - tMin) / dt) + 1;
  if (size % 2 === 1) size += 1;
  return { tMin, dt, size };
}

/** The PRV truncated to [tMin, tMax] and renormalised. */
export class TruncatedPrv {
  private readonly low: number;
  private readonly mass: number;

  constructor(
    readonly q: number,
    readonly sigma: number,
    readonly tMin: number,
    readonly tMax: number,
  ) {
    this.low = prvCdf(q, sigma, tMin);
    this.mass = prvCdf(q, sigma, tMax) - this.low;
    if (!(this.mass > 0)) throw privacyError('PRIVACY_NUMERIC', 'the PRV has no mass inside the domain');
  }

  cdf(t: number): number {
    if (t < this.tMin) return 0;
    if (t >= this.tMax) return 1;
    return (prvCdf(this.q, this.sigma, t) - this.low) / this.mass;
  }

  /** Mean by parts, E[T] = [t F(t)] - integral of F, split where the loss density is sharpest near 0. */
  mean(): number {
    const inner = [1e-1, 1e-2, 1e-3, 1e-4, 1e-5];
    // Below log(1 - q) the CDF is 0: a breakpoint there keeps a wide first interval from sampling only
    // zeros and reporting a converged integral of 0 (large q and a wide domain).
    const support = Math.log1p(-this.q);
    const start = support > this.tMin && support < -inner[0]! ? [this.tMin, support] : [this.tMin];
    const points = [...start, ...inner.map((x) => -x), ...[...inner].reverse(), this.tMax];
    const f = (t: number): number => this.cdf(t);
    let mean = 0;
    for (let i = 0; i + 1 < points.length; i++) {
      const l = points[i] as number;
      const r = points[i + 1] as number;
      mean += r * f(r) - l * f(l) - quad(f, l, r);
    }
    return mean;
  }
}

/** A probability vector on a grid, shifted right by `shift` (the grid stays aligned, values move). */
export interface DiscretePrv {
  pmf: Float64Array;
  grid: Grid;
  shift: number;
}

/** Mass of each grid cell [t_i - dt/2, t_i + dt/2), then the shift that restores the true mean. */
export function discretize(prv: TruncatedPrv, grid: Grid): DiscretePrv {
  const { tMin, dt, size } = grid;
  const pmf = new Float64Array(size);
  let prev = prv.cdf(tMin - dt / 2);
  let meanD = 0;
  for (let i = 0; i < size; i++) {
    const t = tMin + i * dt;
    const next = prv.cdf(t + dt / 2);
    pmf[i] = next - prev;
    meanD += t * (next - prev);
    prev = next;
  }
  const shift = prv.mean() - meanD;
  if (Math.abs(shift) >= dt / 2)
    throw privacyError('PRIVACY_NUMERIC', 'discrete PRV mean differs from the continuous mean by over dt/2');
  return { pmf, grid, shift };
}
