import type { DetectorSpec } from '../../types.js';
import { lengthDetector } from './length.js';

/** Detectors over raw text: length, unicode, encodings, secrets, URLs, canaries, regex, topics, JSON. */
export const TEXT_DETECTORS: DetectorSpec[] = [lengthDetector];
