import { robustnessError } from '../errors.js';
import { betaPpf, normPpf } from '../../core/index.js';

/** Outcome of randomized-smoothing certification for one input (Cohen et al. 2019, CERTIFY). */
export interface Certificate {
  /** One-sided (1 - alpha) Clopper-Pearson lower bound on the top-class probability. */
  pALower: number;
  /** Certified L2 radius sigma * Phi^-1(pALower), or null when the bound is below 1/2 (ABSTAIN). */
  radius: number | null;
}

/** CERTIFY's last step: from nA of n noisy votes for the top class to a certified L2 radius. */
export function certifiedRadius(n: number, nA: number, alpha: number, sigma: number): Certificate {
  if (!Number.isInteger(n) || n < 1)
    throw robustnessError('DATA_INVALID', 'n must be a positive integer', { kind: 'usage' });
  if (!Number.isInteger(nA) || nA < 0 || nA > n)
    throw robustnessError('DATA_INVALID', 'nA must be an integer between 0 and n', { kind: 'usage' });
  if (!(alpha > 0 && alpha < 1))
    throw robustnessError('DATA_INVALID', 'alpha must be in (0, 1)', { kind: 'usage' });
  if (!(sigma > 0) || !Number.isFinite(sigma))
    throw robustnessError('DATA_INVALID', 'sigma must be positive', { kind: 'usage' });
  // Lower end of the two-sided (1 - 2 alpha) Clopper-Pearson interval, as statsmodels' proportion_confint(method="beta").
  const pALower = nA === 0 ? 0 : betaPpf(alpha, nA, n - nA + 1);
  return { pALower, radius: pALower < 0.5 ? null : sigma * normPpf(pALower) };
}
