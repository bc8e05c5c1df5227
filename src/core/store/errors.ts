import { WardenError, type ErrorKind } from '../errors.js';

/** Error codes of the store layer. */
export type StoreErrorCode =
  /** The store URL is not `sqlite:PATH` or `postgres://...` (a usage error). */
  | 'STORE_URL_INVALID'
  /** The database cannot be reached or went away (HTTP 503: retry later). */
  | 'STORE_UNAVAILABLE'
  /** Another writer held the database for too long (HTTP 503). */
  | 'STORE_BUSY'
  /** A unique or foreign-key constraint refused the write (HTTP 409). */
  | 'STORE_CONFLICT'
  /** A migration list is malformed, or the database holds a migration the code does not know by that name. */
  | 'STORE_MIGRATION_INVALID'
  /** Any other failure of a statement: a bug, not the caller's input. */
  | 'STORE_QUERY_FAILED';

export type StoreError = WardenError<StoreErrorCode>;

const KIND: Record<StoreErrorCode, ErrorKind> = {
  STORE_URL_INVALID: 'usage',
  STORE_UNAVAILABLE: 'internal',
  STORE_BUSY: 'internal',
  STORE_CONFLICT: 'input',
  STORE_MIGRATION_INVALID: 'internal',
  STORE_QUERY_FAILED: 'internal',
};

export function storeError(code: StoreErrorCode, message: string, cause?: unknown): StoreError {
  return new WardenError(code, message, { kind: KIND[code], cause });
}
