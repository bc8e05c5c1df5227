import { gunzipSync } from 'node:zlib';
import { robustnessError } from '../errors.js';

/** A parsed IDX file (the MNIST container): unsigned-byte data and its dimensions. */
export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

/** An IDX file of any element type, as float32 values (labels and images alike). */
export interface IdxTensor {
  dims: number[];
  type: 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64';
  data: Float32Array;
}

/** Largest decompressed file the loaders accept. */
export const MAX_DATA_BYTES = 512 * 1024 * 1024;

const TYPES: Record<number, { type: IdxTensor['type']; size: number }> = {
  0x08: { type: 'uint8', size: 1 },
  0x09: { type: 'int8', size: 1 },
  0x0b: { type: 'int16', size: 2 },
  0x0c: { type: 'int32', size: 4 },
  0x0d: { type: 'float32', size: 4 },
  0x0e: { type: 'float64', size: 8 },
};

/** Gunzips when the bytes carry the gzip magic, with a bound on the output. */
export function maybeGunzip(bytes: Uint8Array, what: string): Uint8Array {
  if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) return bytes;
  try {
    return gunzipSync(bytes, { maxOutputLength: MAX_DATA_BYTES });
  } catch (e) {
    throw robustnessError(
      'DATA_INVALID',
      `${what} gzip stream is corrupt or too large: ${(e as Error).message}`,
      {
        cause: e,
      },
    );
  }
}

function header(raw: Uint8Array): { code: number; dims: number[]; offset: number } {
  if (raw.length < 4 || raw[0] !== 0 || raw[1] !== 0)
    throw robustnessError('DATA_INVALID', 'not an IDX file (bad magic)');
  const code = raw[2] ?? 0;
  if (!TYPES[code])
    throw robustnessError('DATA_INVALID', `IDX element type 0x${code.toString(16)} is not supported`);
  const rank = raw[3] ?? 0;
  if (rank < 1 || rank > 4) throw robustnessError('DATA_INVALID', `IDX rank ${rank} is not supported`);
  if (raw.length < 4 + 4 * rank) throw robustnessError('DATA_INVALID', 'IDX header is truncated');
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const dims = Array.from({ length: rank }, (_, k) => view.getUint32(4 + 4 * k));
  const count = dims.reduce((a, b) => a * b, 1);
  const offset = 4 + 4 * rank;
  const size = TYPES[code]?.size ?? 1;
  if (raw.length - offset !== count * size)
    throw robustnessError(
      'DATA_INVALID',
      `IDX declares ${count} elements of ${size} bytes but holds ${raw.length - offset} bytes`,
    );
  return { code, dims, offset };
}

/** Parses an IDX file (gzip or raw). Only unsigned-byte data (type 0x08) is accepted; sizes must agree exactly. */
export function parseIdx(bytes: Uint8Array): IdxArray {
  const raw = maybeGunzip(bytes, 'IDX');
  const h = header(raw);
  if (h.code !== 0x08)
    throw robustnessError(
      'DATA_INVALID',
      `IDX element type 0x${h.code.toString(16)} is not supported here (uint8 only)`,
    );
  return { dims: h.dims, data: raw.subarray(h.offset) };
}

/** Parses an IDX file of any IDX element type (big-endian, as the format says) into float32 values. */
export function parseIdxTensor(bytes: Uint8Array): IdxTensor {
  const raw = maybeGunzip(bytes, 'IDX');
  const h = header(raw);
  const t = TYPES[h.code] as { type: IdxTensor['type']; size: number };
  const view = new DataView(raw.buffer, raw.byteOffset + h.offset, raw.byteLength - h.offset);
  const n = view.byteLength / t.size;
  const data = new Float32Array(n);
  const read: (k: number) => number = {
    uint8: (k: number) => view.getUint8(k),
    int8: (k: number) => view.getInt8(k),
    int16: (k: number) => view.getInt16(2 * k),
    int32: (k: number) => view.getInt32(4 * k),
    float32: (k: number) => view.getFloat32(4 * k),
    float64: (k: number) => view.getFloat64(8 * k),
  }[t.type];
  for (let k = 0; k < n; k++) data[k] = read(k);
  return { dims: h.dims, type: t.type, data };
}
