import type { Scanner } from './types.js';
import { zipScanner } from '../formats/zip/index.js';
import { tarScanner } from '../formats/tar/index.js';
import { compressedScanner, unscannableArchiveScanner } from '../formats/compressed/index.js';
import { npyScanner } from '../formats/npy/index.js';
import { safetensorsScanner } from '../formats/safetensors/index.js';
import { ggufScanner } from '../formats/gguf/index.js';
import { hdf5Scanner } from '../formats/keras/index.js';
import { pickleScanner } from '../formats/pickle/index.js';
import { jsonScanner, templateScanner } from '../formats/text/index.js';
import { onnxScanner } from '../formats/onnx/index.js';
import { savedModelScanner } from '../formats/savedmodel/index.js';

/**
 * Every scanner, in detection order: formats with unambiguous magic first, then pickle, then
 * formats recognised by structure (JSON, protobuf, text templates). The first match wins.
 */
export const SCANNERS: readonly Scanner[] = [
  zipScanner,
  tarScanner,
  compressedScanner,
  unscannableArchiveScanner,
  npyScanner,
  ggufScanner,
  hdf5Scanner,
  safetensorsScanner,
  pickleScanner,
  jsonScanner,
  onnxScanner,
  savedModelScanner,
  templateScanner,
];

export function scannerFor(format: string): Scanner | undefined {
  return SCANNERS.find((s) => s.format === format);
}

export function detectScanner(head: Buffer, size: number): Scanner | undefined {
  return SCANNERS.find((s) => s.detect(head, size));
}
