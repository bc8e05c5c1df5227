import { WardenError, type CoreErrorCode, type ErrorKind } from '../../core/index.js';

/**
 * Error codes of model signing. Verification failures (kind 'input') end with exit 1 in
 * `warden verify`; everything else follows the usual usage/input/internal mapping.
 */
export type SignErrorCode =
  | CoreErrorCode
  | 'DIGEST_MISMATCH'
  | 'UNSIGNED_FILE'
  | 'MISSING_FILE'
  | 'BAD_SIGNATURE'
  | 'UNTRUSTED_CERTIFICATE'
  | 'KEY_MISMATCH'
  | 'MALFORMED_BUNDLE'
  | 'MALFORMED_PAYLOAD'
  | 'UNSUPPORTED_KEY'
  | 'SYMLINK_REFUSED'
  | 'EMPTY_MODEL'
  | 'UNSUPPORTED'
  /** Keyless: a transparency-log entry did not verify (inclusion proof, checkpoint, promise or body). */
  | 'TLOG_INVALID'
  /** Keyless: an RFC 3161 timestamp did not verify against the trusted timestamp authorities. */
  | 'UNTRUSTED_TIMESTAMP'
  /** Keyless: the certificate's identity or OIDC issuer is not the expected one. */
  | 'IDENTITY_MISMATCH'
  /** Keyless signing without an OIDC identity token. */
  | 'SIGSTORE_NO_TOKEN'
  /** Keyless signing could not get a certificate or a log entry (no network, service down or refusing). */
  | 'SIGSTORE_UNAVAILABLE';

/** Codes that mean "the model or its signature did not verify" (as opposed to bad usage). */
export const VERIFICATION_FAILURES: ReadonlySet<SignErrorCode> = new Set<SignErrorCode>([
  'DIGEST_MISMATCH',
  'UNSIGNED_FILE',
  'MISSING_FILE',
  'BAD_SIGNATURE',
  'UNTRUSTED_CERTIFICATE',
  'KEY_MISMATCH',
  'MALFORMED_BUNDLE',
  'MALFORMED_PAYLOAD',
  'TLOG_INVALID',
  'UNTRUSTED_TIMESTAMP',
  'IDENTITY_MISMATCH',
]);

export class SignError extends WardenError<SignErrorCode> {}

export function signError(
  code: SignErrorCode,
  message: string,
  kind: ErrorKind = 'input',
  cause?: unknown,
): SignError {
  return new SignError(code, message, { kind, cause });
}

export function isVerificationFailure(e: unknown): e is SignError {
  return e instanceof SignError && VERIFICATION_FAILURES.has(e.code);
}
