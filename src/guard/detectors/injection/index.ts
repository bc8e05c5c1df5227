import type { DetectorSpec } from '../../types.js';

/** prompt_injection and jailbreak (heuristics + the shipped classifier). */
export const INJECTION_DETECTORS: DetectorSpec[] = [];
