import type { DetectorSpec } from '../../types.js';

/** pii: structured identifiers with validators, names and addresses. */
export const PII_DETECTORS: DetectorSpec[] = [];
