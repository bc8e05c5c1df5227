import { WardenError, type ErrorKind } from '../core/index.js';

/** Error codes of the privacy domain. */
export type PrivacyErrorCode =
  | 'PRIVACY_INVALID_SAMPLE_RATE'
  | 'PRIVACY_INVALID_NOISE_MULTIPLIER'
  | 'PRIVACY_INVALID_STEPS'
  | 'PRIVACY_INVALID_DELTA'
  | 'PRIVACY_INVALID_EPSILON'
  | 'PRIVACY_INVALID_ORDERS'
  | 'PRIVACY_INVALID_OPTION'
  | 'PRIVACY_BUDGET_UNREACHABLE'
  | 'PRIVACY_DOMAIN_TOO_LARGE'
  | 'PRIVACY_NUMERIC'
  | 'PRIVACY_DP_UNSUPPORTED'
  | 'PRIVACY_DATA_INVALID'
  | 'PRIVACY_KEY_INVALID'
  | 'PRIVACY_DECRYPT_FAILED';

export type PrivacyError = WardenError<PrivacyErrorCode>;

// Bad parameters are the caller's mistake (exit 2); a domain too large is a resource limit; a numeric
// failure after validation is our bug.
const KIND: Record<PrivacyErrorCode, ErrorKind> = {
  PRIVACY_INVALID_SAMPLE_RATE: 'usage',
  PRIVACY_INVALID_NOISE_MULTIPLIER: 'usage',
  PRIVACY_INVALID_STEPS: 'usage',
  PRIVACY_INVALID_DELTA: 'usage',
  PRIVACY_INVALID_EPSILON: 'usage',
  PRIVACY_INVALID_ORDERS: 'usage',
  PRIVACY_INVALID_OPTION: 'usage',
  PRIVACY_BUDGET_UNREACHABLE: 'input',
  PRIVACY_DOMAIN_TOO_LARGE: 'limit',
  PRIVACY_NUMERIC: 'internal',
  PRIVACY_DP_UNSUPPORTED: 'input',
  PRIVACY_DATA_INVALID: 'input',
  PRIVACY_KEY_INVALID: 'input',
  PRIVACY_DECRYPT_FAILED: 'input',
};

export function privacyError(code: PrivacyErrorCode, message: string, cause?: unknown): PrivacyError {
  return new WardenError(code, message, { kind: KIND[code], cause });
}

/** q must lie in (0, 1]: q = 0 is no mechanism at all, and Poisson sampling has no meaning above 1. */
export function checkSampleRate(q: number): void {
  if (!(Number.isFinite(q) && q > 0 && q <= 1))
    throw privacyError('PRIVACY_INVALID_SAMPLE_RATE', `sample rate must be in (0, 1], got ${q}`);
}

export function checkNoiseMultiplier(sigma: number): void {
  if (!(Number.isFinite(sigma) && sigma > 0))
    throw privacyError('PRIVACY_INVALID_NOISE_MULTIPLIER', `noise multiplier must be > 0, got ${sigma}`);
}

export function checkSteps(steps: number): void {
  if (!(Number.isSafeInteger(steps) && steps > 0))
    throw privacyError('PRIVACY_INVALID_STEPS', `steps must be a positive integer, got ${steps}`);
}

export function checkDelta(delta: number): void {
  if (!(Number.isFinite(delta) && delta > 0 && delta < 1))
    throw privacyError('PRIVACY_INVALID_DELTA', `delta must be in (0, 1), got ${delta}`);
}

export function checkEpsilon(epsilon: number): void {
  if (!(Number.isFinite(epsilon) && epsilon >= 0))
    throw privacyError('PRIVACY_INVALID_EPSILON', `epsilon must be a finite number >= 0, got ${epsilon}`);
}
