import { privacyError } from '../errors.js';
import { circularPower, convolve, nextPowerOfTwo } from '../math/fft.js';
import { alignedGrid, discretize, TruncatedPrv, type DiscretePrv, type Grid } from './prv-distribution.js';
import { RdpAccountant } from './rdp.js';
import { HistoryAccountant, type Phase, type PrivacySpent } from './types.js';

/** Options of the PRV accountant (Opacus's get_epsilon arguments). */
export interface PrvOptions {
  /** Allowed error of the epsilon estimate (default 0.01). */
  epsError?: number;
  /** Allowed error in delta (default delta / 1000; 1e-10 for getDelta). */
  deltaError?: number;
  /** Largest FFT length before giving up (default 2^23, about 64 MiB per vector). */
  maxGridSize?: number;
}

/**
 * Half-width of a domain outside which the composed PRV has negligible mass (Gopi et al. remark
 * 5.6): the RDP epsilon of the whole history at deltaError/4 and of one step at deltaError/(8T), + 3.
 */
function safeDomainHalfWidth(history: readonly Phase[], epsError: number, deltaError: number): number {
  const total = history.reduce((s, p) => s + p.steps, 0);
  const all = new RdpAccountant();
  for (const p of history) all.compose(p);
  let L = all.getEpsilon(deltaError / 4);
  for (const p of history) {
    const one = new RdpAccountant().compose({ ...p, steps: 1 });
    L = Math.max(L, one.getEpsilon(deltaError / (8 * total)));
  }
  return Math.max(L, epsError) + 3;
}

// The pmf of `count` self-compositions, computed by one FFT power of length m >= grid size and read
// back on the same grid: the sum of `count` points of a grid starting at -a*dt starts at -count*a*dt.
function selfCompose(d: DiscretePrv, count: number, m: number): DiscretePrv {
  if (count === 1) return d;
  const { size } = d.grid;
  const a = Math.round(-d.grid.tMin / d.grid.dt);
  const padded = new Float64Array(m);
  padded.set(d.pmf);
  const power = circularPower(padded, count);
  const pmf = new Float64Array(size);
  const offset = ((((count - 1) * a) % m) + m) % m;
  for (let j = 0; j < size; j++) pmf[j] = power[(j + offset) % m] as number;
  return { pmf, grid: d.grid, shift: d.shift * count };
}

function composeTwo(left: DiscretePrv, right: DiscretePrv): DiscretePrv {
  const a = Math.round(-left.grid.tMin / left.grid.dt);
  const full = convolve(left.pmf, right.pmf);
  return { pmf: full.slice(a, a + left.grid.size), grid: left.grid, shift: left.shift + right.shift };
}

/** Epsilon estimate and bounds from a composed discrete PRV (Gopi et al. section 5). */
export function epsilonBounds(
  d: DiscretePrv,
  delta: number,
  deltaError: number,
  epsError: number,
): { lower: number; estimate: number; upper: number } {
  const { pmf, grid, shift } = d;
  const n = grid.size;
  if (Number.EPSILON * n > delta - deltaError)
    throw privacyError(
      'PRIVACY_INVALID_DELTA',
      `delta ${delta} is too small for a PRV grid of ${n} points: rounding errors would dominate`,
    );
  // d1[i] = P(T >= t_i), d2[i] = E[exp(-T); T >= t_i]; delta(t_i) = d1[i] - exp(t_i) d2[i].
  const d1 = new Float64Array(n);
  const d2 = new Float64Array(n);
  const ndelta = new Float64Array(n);
  let s1 = 0;
  let s2 = 0;
  for (let i = n - 1; i >= 0; i--) {
    const t = grid.tMin + i * grid.dt + shift;
    s1 += pmf[i] as number;
    s2 += (pmf[i] as number) * Math.exp(-t);
    d1[i] = s1;
    d2[i] = s2;
    ndelta[i] = Math.exp(t) * s2 - s1;
  }
  const find = (target: number): number => {
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((ndelta[mid] as number) < -target) lo = mid + 1;
      else hi = mid;
    }
    if (lo <= 0) throw privacyError('PRIVACY_NUMERIC', 'cannot compute epsilon: the domain is too narrow');
    if (lo >= n) return Infinity;
    return Math.log(((d1[lo] as number) - target) / (d2[lo] as number));
  };
  return {
    upper: find(delta - deltaError) + epsError,
    lower: find(delta + deltaError) - epsError,
    estimate: find(delta),
  };
}

/**
 * Privacy random variable accountant (Gopi, Lee, Wutschitz 2021), as Opacus's PRVAccountant: each
 * phase's PRV is truncated to a safe domain, discretised with a mean-preserving shift, composed by
 * FFT, and the phases are then convolved together. getEpsilon returns the upper bound.
 */
export class PrvAccountant extends HistoryAccountant {
  readonly name = 'prv' as const;
  readonly epsError: number;

  constructor(private readonly options: PrvOptions = {}) {
    super();
    this.epsError = options.epsError ?? 0.01;
    if (!(this.epsError > 0))
      throw privacyError('PRIVACY_INVALID_OPTION', `epsError must be > 0, got ${this.epsError}`);
    if (options.deltaError !== undefined && !(options.deltaError > 0 && options.deltaError < 1))
      throw privacyError('PRIVACY_INVALID_OPTION', `deltaError must be in (0, 1), got ${options.deltaError}`);
  }

  /** The composed discrete PRV of a history for the given error budget. */
  composed(history: readonly Phase[], deltaError: number): DiscretePrv {
    const total = history.reduce((s, p) => s + p.steps, 0);
    const L = safeDomainHalfWidth(history, this.epsError, deltaError);
    const mesh = this.epsError / Math.sqrt((total * Math.log(12 / deltaError)) / 2);
    const grid: Grid = alignedGrid(L, mesh);
    const m = nextPowerOfTwo(grid.size);
    const limit = this.options.maxGridSize ?? 2 ** 23;
    if (m > limit)
      throw privacyError(
        'PRIVACY_DOMAIN_TOO_LARGE',
        `the PRV grid needs ${m} points (limit ${limit}); raise epsError or use the rdp accountant`,
      );
    const tMax = grid.tMin + (grid.size - 1) * grid.dt;
    let parts = history.map((p) =>
      selfCompose(
        discretize(new TruncatedPrv(p.sampleRate, p.noiseMultiplier, grid.tMin, tMax), grid),
        p.steps,
        m,
      ),
    );
    while (parts.length > 1) {
      const next: DiscretePrv[] = [];
      for (let i = 0; i + 1 < parts.length; i += 2)
        next.push(composeTwo(parts[i] as DiscretePrv, parts[i + 1] as DiscretePrv));
      if (parts.length % 2 === 1) next.push(parts[parts.length - 1] as DiscretePrv);
      parts = next;
    }
    return parts[0] as DiscretePrv;
  }

  protected spent(history: readonly Phase[], delta: number): PrivacySpent {
    const deltaError = this.options.deltaError ?? delta / 1000;
    const bounds = epsilonBounds(this.composed(history, deltaError), delta, deltaError, this.epsError);
    return { epsilon: bounds.upper, delta, ...bounds };
  }

  protected deltaFor(history: readonly Phase[], epsilon: number): number {
    const { pmf, grid, shift } = this.composed(history, this.options.deltaError ?? 1e-10);
    let delta = 0;
    for (let i = 0; i < grid.size; i++) {
      const t = grid.tMin + i * grid.dt + shift;
      if (t >= epsilon) delta += (pmf[i] as number) * -Math.expm1(epsilon - t);
    }
    return Math.min(1, Math.max(0, delta));
  }
}
