import { monitorError } from '../../errors.js';
import type { DriftColumn, DriftTest, DriftTestOptions, DriftTestResult } from '../types.js';

/** The numbers of a numerical column; a categorical one cannot take a test built on order or distance. */
export function numbers(test: string, col: DriftColumn): { reference: Float64Array; current: Float64Array } {
  if (col.kind !== 'numerical')
    throw monitorError(
      'MONITOR_TEST_NOT_APPLICABLE',
      `${test} needs a numerical column; this one is categorical`,
    );
  return col;
}

export function thresholdOf(test: DriftTest, options: DriftTestOptions | undefined): number {
  const t = options?.threshold ?? test.defaultThreshold;
  if (!(Number.isFinite(t) && t >= 0))
    throw monitorError('MONITOR_INVALID_OPTION', `threshold of ${test.name} must be a number >= 0, got ${t}`);
  return t;
}

/** A p-value test's answer: drift when p < threshold (or p <= threshold where the reference says so). */
export function pValueResult(
  statistic: number,
  p: number,
  threshold: number,
  inclusive = false,
): DriftTestResult {
  return { statistic, pValue: p, threshold, drift: inclusive ? p <= threshold : p < threshold };
}

/** A distance's answer: drift when distance >= threshold (or > where the reference says so). */
export function distanceResult(distance: number, threshold: number, strict = false): DriftTestResult {
  return {
    statistic: distance,
    pValue: null,
    threshold,
    drift: strict ? distance > threshold : distance >= threshold,
  };
}
