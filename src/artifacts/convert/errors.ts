import { WardenError, type Finding, type ReportItem } from '../../core/index.js';
import type { ArtifactErrorCode } from '../errors.js';

/** Error codes of checkpoint conversion. */
export type ConvertErrorCode =
  | ArtifactErrorCode
  /** The scanner found something at or above the refusal threshold: nothing was converted. */
  | 'CONVERT_REFUSED'
  /** The checkpoint's pickle names a global outside the converter's allowlist: never resolved. */
  | 'GLOBAL_NOT_ALLOWED'
  /** The written file did not pass the re-scan: removed, nothing left behind. */
  | 'SELF_CHECK_FAILED';

export class ConvertError extends WardenError<ConvertErrorCode> {}

/** Refusal after scanning: carries the findings that blocked the conversion. */
export class ConvertRefusedError extends ConvertError {
  constructor(
    message: string,
    readonly item: ReportItem,
    readonly findings: Finding[],
  ) {
    super('CONVERT_REFUSED', message, { kind: 'input' });
  }
}

export function unsupported(message: string): ConvertError {
  return new ConvertError('UNSUPPORTED', message, { kind: 'input' });
}

export function invalid(message: string, cause?: unknown): ConvertError {
  return new ConvertError('FORMAT_INVALID', message, { cause, kind: 'input' });
}
