import { WardenError, type ErrorKind } from '../core/index.js';

/** Error codes of the posture domain. */
export type PostureErrorCode =
  'POSTURE_PATH_INVALID' | 'POSTURE_GATEWAY_CONFIG_INVALID' | 'POSTURE_STORE_INVALID' | 'POSTURE_KEY_INVALID';

export type PostureError = WardenError<PostureErrorCode>;

export function postureError(
  code: PostureErrorCode,
  message: string,
  opts: { cause?: unknown; kind?: ErrorKind } = {},
): PostureError {
  return new WardenError(code, message, { cause: opts.cause, kind: opts.kind ?? 'input' });
}
