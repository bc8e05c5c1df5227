import { certifiedRadius } from '../../robustness/index.js';
import { EXIT, type ExitCode } from '../exit.js';
import { numberFlag, positiveInt } from '../flags.js';

export interface RadiusFlags {
  n: string;
  na: string;
  alpha: string;
  sigma: string;
}

/** Prints Cohen et al.'s certified L2 radius for nA of n noisy votes: {"pALower", "radius"} (radius null = ABSTAIN). */
export function runCertifyRadius(flags: RadiusFlags): ExitCode {
  const n = positiveInt('--n', flags.n) as number;
  const nA = flags.na === '0' ? 0 : (positiveInt('--na', flags.na) as number);
  const alpha = numberFlag('--alpha', flags.alpha, { min: 0, exclusiveMin: true, max: 0.5 }) as number;
  const sigma = numberFlag('--sigma', flags.sigma, { min: 0, exclusiveMin: true }) as number;
  process.stdout.write(`${JSON.stringify(certifiedRadius(n, nA, alpha, sigma))}\n`);
  return EXIT.ok;
}
