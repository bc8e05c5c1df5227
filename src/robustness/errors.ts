import { WardenError, type ErrorKind } from '../core/index.js';

/** Error codes of the robustness domain (tensor engine, models, attacks). */
export type RobustnessErrorCode =
  | 'UNSUPPORTED_OP'
  | 'SHAPE_MISMATCH'
  | 'MODEL_INVALID'
  | 'ONNX_RUNTIME_ERROR'
  | 'DATA_INVALID'
  /** A remote (OIP v2 HTTP) model failed, timed out or answered outside the protocol. */
  | 'UPSTREAM_MODEL_ERROR';

export function robustnessError(
  code: RobustnessErrorCode,
  message: string,
  opts: { cause?: unknown; kind?: ErrorKind } = {},
): WardenError<RobustnessErrorCode> {
  return new WardenError(code, message, { cause: opts.cause, kind: opts.kind ?? 'input' });
}
