import { privacyError } from '../errors.js';
import { normCdf } from '../../core/index.js';
import { composePmf, pmfDelta, pmfEpsilon, selfComposePmf, truncate, type LossPmf } from './pld-pmf.js';
import { HistoryAccountant, type Phase, type PrivacySpent } from './types.js';

/** Options of the PLD accountant. */
export interface PldOptions {
  /** Grid step of the privacy loss (dp_accounting's value_discretization_interval, default 1e-4). */
  valueDiscretizationInterval?: number;
}

// Outside +-10 standard deviations the Gaussian holds ~1.5e-23 of its mass: that is where the loss
// support is cut (pessimistically, see lossPmf).
const Z_TAIL = 10;

type Direction = 'remove' | 'add';

/**
 * Hockey-stick divergence delta(eps) = P(L > eps) - e^eps Q(L > eps) of one Poisson-subsampled
 * Gaussian step under add/remove adjacency. With u = exp((2x - 1) / (2 sigma^2)): for `remove`,
 * P = (1-q) N(0, s^2) + q N(1, s^2), Q = N(0, s^2) and L = log(1 - q + q u), increasing in x; for
 * `add`, P and Q swap and L = -log(1 - q + q u), decreasing. Both tails come from erfc, so tiny
 * deltas keep their digits.
 */
function hockeyStick(q: number, sigma: number, direction: Direction): (eps: number) => number {
  const s2 = sigma * sigma;
  const log1mq = Math.log1p(-q);
  const mixCdf = (x: number): number => (1 - q) * normCdf(x / sigma) + q * normCdf((x - 1) / sigma);
  const mixSf = (x: number): number => (1 - q) * normCdf(-x / sigma) + q * normCdf((1 - x) / sigma);
  return (eps) => {
    const g = direction === 'remove' ? eps : -eps;
    if (q < 1 && g <= log1mq) return direction === 'remove' ? -Math.expm1(eps) : 0;
    const x = s2 * Math.log((Math.exp(g) - 1 + q) / q) + 0.5;
    const d =
      direction === 'remove'
        ? mixSf(x) - Math.exp(eps) * normCdf(-x / sigma)
        : normCdf(x / sigma) - Math.exp(eps) * mixCdf(x);
    return Math.max(0, d);
  };
}

/**
 * One step's PLD on the grid by "connect the dots" (Doroshenko, Ghazi, Kamath, Kumar, Manurangsi
 * 2022, dp_accounting's default): the grid pmf whose delta(eps) equals the true one at every grid
 * point and, delta being convex in e^eps, lies above it in between: a pessimistic estimate without
 * the half-interval bias per step of rounding losses up.
 */
function connectDots(q: number, sigma: number, direction: Direction, interval: number): LossPmf {
  const delta = hockeyStick(q, sigma, direction);
  const s2 = sigma * sigma;
  // L at x, to find where the grid must start and end (+-Z_TAIL standard deviations of x).
  const loss = (x: number): number => {
    const g = Math.log(1 - q + q * Math.exp((2 * x - 1) / (2 * s2)));
    return direction === 'remove' ? g : -g;
  };
  const ends = [loss(-Z_TAIL * sigma), loss(1 + Z_TAIL * sigma)];
  if (q < 1) ends.push(direction === 'remove' ? Math.log1p(-q) : -Math.log1p(-q));
  const kLo = Math.floor(Math.min(...ends) / interval);
  const kHi = Math.ceil(Math.max(...ends) / interval);
  const n = kHi - kLo + 1;
  const d = new Float64Array(n);
  for (let i = 0; i < n; i++) d[i] = delta((kLo + i) * interval);
  // delta(eps) = A_i - e^eps B_i on [eps_{i-1}, eps_i]; matching the grid values gives the slopes B_i
  // and p_i = e^eps_i (B_i - B_{i+1}), written here without exponentials that could overflow.
  const c = -Math.expm1(-interval);
  const decay = Math.exp(-interval);
  const p = new Float64Array(n);
  let rest = 0;
  for (let i = 1; i < n; i++) {
    const next = i + 1 < n ? (d[i] as number) - (d[i + 1] as number) : 0;
    const v = ((d[i - 1] as number) - (d[i] as number) - decay * next) / c;
    p[i] = Math.max(0, v);
    rest += p[i] as number;
  }
  const inf = d[n - 1] as number;
  p[0] = Math.max(0, 1 - inf - rest);
  return truncate({ offset: kLo, p, inf });
}

/**
 * Privacy loss distribution accountant (as dp_accounting's PLDAccountant: add/remove adjacency,
 * pessimistic connect-the-dots discretisation, composition by FFT with pessimistic tail truncation):
 * both directions are composed separately and the worse one is reported.
 */
export class PldAccountant extends HistoryAccountant {
  readonly name = 'pld' as const;
  readonly interval: number;

  constructor(options: PldOptions = {}) {
    super();
    this.interval = options.valueDiscretizationInterval ?? 1e-4;
    if (!(this.interval > 0 && this.interval < 1))
      throw privacyError(
        'PRIVACY_INVALID_OPTION',
        `value discretization interval must be in (0, 1), got ${this.interval}`,
      );
  }

  /** Composed loss pmfs of the history, one per adjacency direction. */
  composed(history: readonly Phase[]): Record<Direction, LossPmf> {
    const one = (direction: Direction): LossPmf =>
      history
        .map((p) =>
          selfComposePmf(connectDots(p.sampleRate, p.noiseMultiplier, direction, this.interval), p.steps),
        )
        .reduce((a, b) => composePmf(a, b));
    return { remove: one('remove'), add: one('add') };
  }

  protected spent(history: readonly Phase[], delta: number): PrivacySpent {
    const { remove, add } = this.composed(history);
    const epsilon = Math.max(pmfEpsilon(remove, delta, this.interval), pmfEpsilon(add, delta, this.interval));
    return { epsilon, delta };
  }

  protected deltaFor(history: readonly Phase[], epsilon: number): number {
    const { remove, add } = this.composed(history);
    return Math.max(pmfDelta(remove, epsilon, this.interval), pmfDelta(add, epsilon, this.interval));
  }
}
