import type { DetectorSpec } from '../types.js';
import { INJECTION_DETECTORS } from './injection/index.js';
import { PII_DETECTORS } from './pii/index.js';
import { TEXT_DETECTORS } from './text/index.js';

/** Every guard detector, by name: the one list the policy compiler and the contract test read. */
export const DETECTORS: readonly DetectorSpec[] = [
  ...INJECTION_DETECTORS,
  ...PII_DETECTORS,
  ...TEXT_DETECTORS,
] as readonly DetectorSpec[];

export function findDetector(name: string): DetectorSpec | undefined {
  return DETECTORS.find((d) => d.name === name);
}
