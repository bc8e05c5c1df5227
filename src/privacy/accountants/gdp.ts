import { brentq } from '../math/numeric.js';
import { normCdf } from '../../core/index.js';
import { HistoryAccountant, type Phase, type PrivacySpent } from './types.js';

/**
 * mu of the composed history by the central limit theorem for Poisson subsampling (Bu, Dong, Long,
 * Su 2019): each phase is approximately mu_i-GDP with mu_i = q sqrt(T (exp(1/sigma^2) - 1)), and
 * mu-GDP composes as the root of the sum of squares, so a heterogeneous history stays one mu.
 */
export function gdpMu(history: readonly Phase[]): number {
  let mu2 = 0;
  for (const p of history) {
    const q = p.sampleRate;
    mu2 += q * q * p.steps * Math.expm1(1 / (p.noiseMultiplier * p.noiseMultiplier));
  }
  return Math.sqrt(mu2);
}

/** delta(epsilon) of mu-GDP (Dong, Roth, Su 2019, Corollary 2.13). */
export function gdpDelta(epsilon: number, mu: number): number {
  if (mu === 0) return 0;
  if (mu === Infinity) return 1;
  const a = normCdf(-epsilon / mu + mu / 2);
  const b = normCdf(-epsilon / mu - mu / 2);
  // e^eps * Phi(...) overflows to Infinity * 0 once eps passes ~709; by then delta is a alone.
  const tail = b === 0 ? 0 : Math.exp(epsilon + Math.log(b));
  return Math.max(0, a - tail);
}

/** Epsilon of mu-GDP at delta: the root of delta(eps) = delta on [0, 500], as Opacus. */
export function gdpEpsilon(mu: number, delta: number): number {
  if (mu === 0 || gdpDelta(0, mu) <= delta) return 0;
  if (gdpDelta(500, mu) > delta) return Infinity;
  return brentq((eps) => gdpDelta(eps, mu) - delta, 0, 500);
}

/**
 * Gaussian DP accountant (CLT approximation, as Opacus's `gdp`). It can underestimate epsilon for
 * few steps or large q (Opacus warns the same); prefer PRV or PLD for a guarantee.
 */
export class GdpAccountant extends HistoryAccountant {
  readonly name = 'gdp' as const;

  protected spent(history: readonly Phase[], delta: number): PrivacySpent {
    return { epsilon: gdpEpsilon(gdpMu(history), delta), delta };
  }

  protected deltaFor(history: readonly Phase[], epsilon: number): number {
    return gdpDelta(epsilon, gdpMu(history));
  }
}
