import { createHash } from 'node:crypto';

/** Which part of the labelled data a text belongs to. */
export type SplitName = 'train' | 'validation' | 'test';

/**
 * Deterministic split from the text alone: SHA-256 of the UTF-8 text, first 4 bytes as a big-endian
 * integer, modulo 100. 0-69 train, 70-79 validation, 80-99 test. Hashing the text (not the file) sends an
 * exact duplicate that appears in several files to the same split, so no test text is ever trained on.
 */
export function splitOf(text: string): SplitName {
  const digest = createHash('sha256').update(text, 'utf8').digest();
  const bucket = digest.readUInt32BE(0) % 100;
  return bucket < 70 ? 'train' : bucket < 80 ? 'validation' : 'test';
}
