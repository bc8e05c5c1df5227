import { checkDelta, checkSampleRate, checkSteps, privacyError } from './errors.js';
import { createAccountant, type AccountantOptions } from './accountants/registry.js';
import type { AccountantName } from './accountants/types.js';

/** Options of the noise calibration. */
export interface NoiseMultiplierOptions {
  targetEpsilon: number;
  delta: number;
  sampleRate: number;
  /** Either steps or epochs; epochs become int(epochs / q) steps, as Opacus. */
  steps?: number;
  epochs?: number;
  accountant?: AccountantName;
  accountantOptions?: AccountantOptions;
  /** `opacus` (default) reproduces Opacus's get_noise_multiplier; `bisect` searches further. */
  method?: 'opacus' | 'bisect';
  /** Stop once target - tolerance < epsilon <= target (default 0.01, or 1e-6 with `bisect`). */
  epsilonTolerance?: number;
}

// Opacus gives up above this sigma: the budget is then too small to reach.
const MAX_SIGMA = 1e6;

/** Steps of `epochs` epochs at sampling rate q, computed as Opacus does: int(epochs / q). */
export function stepsFromEpochs(epochs: number, sampleRate: number): number {
  checkSampleRate(sampleRate);
  if (!(Number.isFinite(epochs) && epochs > 0))
    throw privacyError('PRIVACY_INVALID_STEPS', `epochs must be a positive number, got ${epochs}`);
  const steps = Math.trunc(epochs / sampleRate);
  checkSteps(steps);
  return steps;
}

/**
 * Smallest noise multiplier (up to the tolerance) whose epsilon at delta stays <= the target. The
 * search is Opacus's: double sigma from 10 until epsilon <= target, then bisect between 0 and that
 * sigma until the target minus epsilon is within the tolerance; the upper end is returned, so the
 * guarantee always holds.
 */
export function getNoiseMultiplier(o: NoiseMultiplierOptions): number {
  if (!(Number.isFinite(o.targetEpsilon) && o.targetEpsilon > 0))
    throw privacyError('PRIVACY_INVALID_EPSILON', `target epsilon must be > 0, got ${o.targetEpsilon}`);
  checkDelta(o.delta);
  checkSampleRate(o.sampleRate);
  if ((o.steps === undefined) === (o.epochs === undefined))
    throw privacyError('PRIVACY_INVALID_STEPS', 'give either steps or epochs, not both or neither');
  const steps = o.steps ?? stepsFromEpochs(o.epochs as number, o.sampleRate);
  checkSteps(steps);
  const method = o.method ?? 'opacus';
  if (method !== 'opacus' && method !== 'bisect')
    throw privacyError('PRIVACY_INVALID_OPTION', `method must be opacus or bisect, got ${String(method)}`);
  const tolerance = o.epsilonTolerance ?? (method === 'bisect' ? 1e-6 : 0.01);
  if (!(tolerance > 0))
    throw privacyError('PRIVACY_INVALID_OPTION', `epsilon tolerance must be > 0, got ${tolerance}`);
  const name = o.accountant ?? 'rdp';
  // One accountant configuration for every probe; each probe is a fresh single-phase history.
  createAccountant(name, o.accountantOptions);
  const epsilonAt = (sigma: number): number =>
    createAccountant(name, o.accountantOptions)
      .compose({ noiseMultiplier: sigma, sampleRate: o.sampleRate, steps })
      .getEpsilon(o.delta);

  let sigmaLow = 0;
  let sigmaHigh = 10;
  let epsHigh = Infinity;
  while (epsHigh > o.targetEpsilon) {
    sigmaHigh *= 2;
    epsHigh = epsilonAt(sigmaHigh);
    if (sigmaHigh > MAX_SIGMA)
      throw privacyError(
        'PRIVACY_BUDGET_UNREACHABLE',
        `epsilon ${o.targetEpsilon} at delta ${o.delta} needs a noise multiplier above ${MAX_SIGMA}`,
      );
  }
  while (o.targetEpsilon - epsHigh > tolerance) {
    // An epsilon that moves in steps (PRV, PLD grids) may never land inside a tiny tolerance; Opacus
    // would loop forever there, we stop once the bracket is down to rounding.
    if (sigmaHigh - sigmaLow <= 1e-12 * sigmaHigh) break;
    const sigma = (sigmaLow + sigmaHigh) / 2;
    const eps = epsilonAt(sigma);
    if (eps < o.targetEpsilon) {
      sigmaHigh = sigma;
      epsHigh = eps;
    } else {
      sigmaLow = sigma;
    }
  }
  return sigmaHigh;
}
