// The drift tests' distribution tails on top of the shared special functions (checked against SciPy).
import { betaInc, gammaQ } from '../../core/index.js';

/** Chi-square survival function with k degrees of freedom. */
export function chi2Sf(x: number, k: number): number {
  if (x <= 0) return 1;
  return gammaQ(k / 2, x / 2);
}

/** Student t two-sided tail P(|T| > |t|) with df degrees of freedom. */
export function tTwoSided(t: number, df: number): number {
  if (!Number.isFinite(t)) return Number.isNaN(t) ? NaN : 0;
  return betaInc(df / (df + t * t), df / 2, 0.5);
}
