import { WardenError, type ErrorKind } from '../core/index.js';

/** Error codes of the gateway domain; core/http.ts maps them to statuses. */
export type GatewayErrorCode =
  | 'GATEWAY_UNAUTHENTICATED'
  | 'GATEWAY_FORBIDDEN'
  | 'GATEWAY_RATE_LIMITED'
  | 'GATEWAY_INPUT_INVALID'
  | 'GATEWAY_MODEL_NOT_FOUND'
  | 'GATEWAY_UNAVAILABLE'
  | 'GATEWAY_EXTRACTION_BLOCKED'
  | 'GATEWAY_CONFIG_INVALID'
  | 'GATEWAY_SIGNATURE_INVALID'
  | 'GATEWAY_MODEL_INVALID'
  | 'GATEWAY_UPSTREAM_ERROR'
  | 'GATEWAY_UPSTREAM_TIMEOUT'
  | 'GATEWAY_KEY_NOT_FOUND'
  | 'GATEWAY_AUDIT_BROKEN'
  /** A registry version's promotion gate fails: the gateway refuses to load it. */
  | 'GATEWAY_GATE_FAILED'
  /** A registry version's files differ from its registered digests. */
  | 'GATEWAY_DIGEST_MISMATCH';

export type GatewayError = WardenError<GatewayErrorCode>;

const KIND: Partial<Record<GatewayErrorCode, ErrorKind>> = {
  GATEWAY_RATE_LIMITED: 'limit',
  GATEWAY_CONFIG_INVALID: 'usage',
  GATEWAY_UNAVAILABLE: 'internal',
  GATEWAY_UPSTREAM_ERROR: 'internal',
  GATEWAY_UPSTREAM_TIMEOUT: 'internal',
  GATEWAY_AUDIT_BROKEN: 'internal',
};

export function gatewayError(
  code: GatewayErrorCode,
  message: string,
  opts: { cause?: unknown; kind?: ErrorKind } = {},
): GatewayError {
  return new WardenError(code, message, { cause: opts.cause, kind: opts.kind ?? KIND[code] ?? 'input' });
}
