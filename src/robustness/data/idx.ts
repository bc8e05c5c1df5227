import { gunzipSync } from 'node:zlib';
import { robustnessError } from '../errors.js';

/** A parsed IDX file (the MNIST container): unsigned-byte data and its dimensions. */
export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

const MAX_BYTES = 512 * 1024 * 1024;

/** Parses an IDX file (gzip or raw). Only unsigned-byte data (type 0x08) is accepted; sizes must agree exactly. */
export function parseIdx(bytes: Uint8Array): IdxArray {
  let raw = bytes;
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      raw = gunzipSync(bytes, { maxOutputLength: MAX_BYTES });
    } catch (e) {
      throw robustnessError(
        'DATA_INVALID',
        `IDX gzip stream is corrupt or too large: ${(e as Error).message}`,
        {
          cause: e,
        },
      );
    }
  }
  if (raw.length < 4 || raw[0] !== 0 || raw[1] !== 0)
    throw robustnessError('DATA_INVALID', 'not an IDX file (bad magic)');
  if (raw[2] !== 0x08)
    throw robustnessError(
      'DATA_INVALID',
      `IDX element type 0x${(raw[2] ?? 0).toString(16)} is not supported`,
    );
  const rank = raw[3] ?? 0;
  if (rank < 1 || rank > 4) throw robustnessError('DATA_INVALID', `IDX rank ${rank} is not supported`);
  if (raw.length < 4 + 4 * rank) throw robustnessError('DATA_INVALID', 'IDX header is truncated');
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const dims = Array.from({ length: rank }, (_, k) => view.getUint32(4 + 4 * k));
  const count = dims.reduce((a, b) => a * b, 1);
  const offset = 4 + 4 * rank;
  if (raw.length - offset !== count)
    throw robustnessError(
      'DATA_INVALID',
      `IDX declares ${count} elements but holds ${raw.length - offset} bytes`,
    );
  return { dims, data: raw.subarray(offset) };
}
