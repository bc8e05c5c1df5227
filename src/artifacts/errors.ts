import { WardenError, type CoreErrorCode } from '../core/index.js';

/** Error codes of the artifacts domain. */
export type ArtifactErrorCode =
  CoreErrorCode | 'FORMAT_INVALID' | 'TRUNCATED' | 'UNSUPPORTED' | 'DEPTH_EXCEEDED' | 'POLICY_INVALID';

export class ArtifactError extends WardenError<ArtifactErrorCode> {}

export function formatError(message: string, cause?: unknown): ArtifactError {
  return new ArtifactError('FORMAT_INVALID', message, { cause, kind: 'input' });
}

export function truncated(message: string): ArtifactError {
  return new ArtifactError('TRUNCATED', message, { kind: 'input' });
}

export function limitExceeded(message: string): ArtifactError {
  return new ArtifactError('LIMIT_EXCEEDED', message, { kind: 'limit' });
}
