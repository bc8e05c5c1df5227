import { WardenError, type ErrorKind } from '../core/index.js';

/** Error codes of the guard domain. */
export type GuardErrorCode =
  | 'GUARD_POLICY_INVALID'
  | 'GUARD_UNKNOWN_DETECTOR'
  | 'GUARD_INPUT_INVALID'
  | 'GUARD_INPUT_TOO_LARGE'
  | 'GUARD_UPSTREAM_ERROR'
  | 'GUARD_UPSTREAM_TIMEOUT';

export type GuardError = WardenError<GuardErrorCode>;

export function guardError(
  code: GuardErrorCode,
  message: string,
  opts: { cause?: unknown; kind?: ErrorKind } = {},
): GuardError {
  const kind = opts.kind ?? (code === 'GUARD_INPUT_TOO_LARGE' ? 'limit' : 'input');
  return new WardenError(code, message, { cause: opts.cause, kind });
}
