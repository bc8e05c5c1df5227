import { WardenError, type ErrorKind } from '../../core/index.js';
import type { ArtifactErrorCode } from '../errors.js';

/** Error codes of envelope encryption; every one ends `warden encrypt/decrypt` with exit 2. */
export type CryptErrorCode =
  | ArtifactErrorCode
  /** The input does not start with the Warden encrypted-file magic. */
  | 'NOT_ENCRYPTED'
  /** The key-encryption key could not be read or is not 32 bytes. */
  | 'KEK_INVALID'
  /** The file was encrypted under another key-encryption key. */
  | 'KEK_MISMATCH'
  /** A chunk or the wrapped data key failed authentication: tampered, truncated, reordered or extended. */
  | 'DECRYPT_FAILED'
  /** The destination exists and overwriting was not asked for. */
  | 'OUTPUT_EXISTS';

export class CryptError extends WardenError<CryptErrorCode> {}

export function cryptError(code: CryptErrorCode, message: string, kind: ErrorKind = 'input'): CryptError {
  return new CryptError(code, message, { kind });
}

export function isCryptError(e: unknown): e is CryptError {
  return e instanceof CryptError;
}
