import { WardenError, type ErrorKind } from '../core/index.js';

/** Error codes of the red-team domain. */
export type RedteamErrorCode =
  | 'REDTEAM_OPTIONS_INVALID'
  | 'REDTEAM_TARGET_INVALID'
  | 'REDTEAM_TARGET_UNREACHABLE'
  | 'REDTEAM_TARGET_TIMEOUT'
  | 'REDTEAM_TARGET_HTTP'
  | 'REDTEAM_TARGET_PROTOCOL'
  | 'REDTEAM_SYSTEM_PROMPT_INVALID';

export type RedteamError = WardenError<RedteamErrorCode>;

export function redteamError(
  code: RedteamErrorCode,
  message: string,
  opts: { cause?: unknown; kind?: ErrorKind } = {},
): RedteamError {
  return new WardenError(code, message, { cause: opts.cause, kind: opts.kind ?? 'input' });
}
