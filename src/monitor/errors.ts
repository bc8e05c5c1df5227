import { WardenError, type ErrorKind } from '../core/index.js';

/** Error codes of the monitor domain (drift, fairness, poisoning, federated). */
export type MonitorErrorCode =
  | 'MONITOR_INVALID_OPTION'
  | 'MONITOR_UNKNOWN_TEST'
  | 'MONITOR_TEST_NOT_APPLICABLE'
  | 'MONITOR_NO_DATA'
  | 'MONITOR_COLUMN_INVALID'
  | 'MONITOR_NUMERIC';

export type MonitorError = WardenError<MonitorErrorCode>;

// Bad flags and unknown names are usage errors; data that cannot be tested is the input's fault;
// a numeric failure after validation is our bug.
const KIND: Record<MonitorErrorCode, ErrorKind> = {
  MONITOR_INVALID_OPTION: 'usage',
  MONITOR_UNKNOWN_TEST: 'usage',
  MONITOR_TEST_NOT_APPLICABLE: 'input',
  MONITOR_NO_DATA: 'input',
  MONITOR_COLUMN_INVALID: 'input',
  MONITOR_NUMERIC: 'internal',
};

export function monitorError(code: MonitorErrorCode, message: string, cause?: unknown): MonitorError {
  return new WardenError(code, message, { kind: KIND[code], cause });
}
