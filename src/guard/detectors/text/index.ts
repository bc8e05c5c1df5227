import type { DetectorSpec } from '../../types.js';
import { canaryDetector } from './canary.js';
import { encodedPayloadDetector } from './encoded-payload.js';
import { invisibleUnicodeDetector } from './invisible-unicode.js';
import { jsonSchemaDetector } from './json-schema.js';
import { lengthDetector } from './length.js';
import { regexDetector } from './regex.js';
import { secretsDetector } from './secrets.js';
import { topicsDetector } from './topics.js';
import { urlsDetector } from './urls.js';

export { makeCanary, plantCanary } from './canary.js';

/** Detectors over raw text: length, unicode, encodings, secrets, URLs, canaries, regex, topics, JSON. */
export const TEXT_DETECTORS: DetectorSpec[] = [
  lengthDetector,
  invisibleUnicodeDetector,
  secretsDetector,
  canaryDetector,
  urlsDetector,
  encodedPayloadDetector,
  regexDetector,
  topicsDetector,
  jsonSchemaDetector,
] as DetectorSpec[];
