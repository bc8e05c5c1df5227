import { robustnessError } from '../errors.js';
import { MAX_DATA_BYTES, maybeGunzip } from './idx.js';

/** A NumPy `.npy` array read into float32 (C order), with its original dtype. */
export interface NpyArray {
  dims: number[];
  dtype: string;
  data: Float32Array;
}

const MAX_HEADER = 64 * 1024;
const SIZES: Record<string, number> = {
  b1: 1,
  u1: 1,
  i1: 1,
  u2: 2,
  i2: 2,
  u4: 4,
  i4: 4,
  u8: 8,
  i8: 8,
  f2: 2,
  f4: 4,
  f8: 8,
};

const bad = (msg: string) => robustnessError('DATA_INVALID', `.npy: ${msg}`);

/** Reads the header dictionary without evaluating it: exactly the three keys NumPy writes. */
function parseHeader(text: string): { descr: string; fortran: boolean; shape: number[] } {
  const descr = /'descr'\s*:\s*'([<>|=]?[a-zA-Z]\d+)'/.exec(text)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(text)?.[1];
  const shape = /'shape'\s*:\s*\(([^)]*)\)/.exec(text)?.[1];
  if (descr === undefined || fortran === undefined || shape === undefined)
    throw bad('header lacks descr, fortran_order or shape');
  const parts = shape
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (parts.length > 8 || parts.some((p) => !/^\d{1,10}$/.test(p))) throw bad(`bad shape (${shape})`);
  return { descr, fortran: fortran === 'True', shape: parts.map(Number) };
}

/** Parses a `.npy` file (format versions 1-3, gzip allowed); numeric dtypes only, C order, sizes checked. */
export function parseNpy(bytes: Uint8Array): NpyArray {
  const raw = maybeGunzip(bytes, '.npy');
  if (raw.length < 10 || raw[0] !== 0x93 || String.fromCharCode(...raw.subarray(1, 6)) !== 'NUMPY')
    throw bad('bad magic');
  const major = raw[6] ?? 0;
  if (major < 1 || major > 3) throw bad(`format version ${major} is not supported`);
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const wide = major >= 2;
  if (wide && raw.length < 12) throw bad('header is truncated');
  const hlen = wide ? view.getUint32(8, true) : view.getUint16(8, true);
  const start = wide ? 12 : 10;
  if (hlen > MAX_HEADER || start + hlen > raw.length) throw bad('header is truncated or too large');
  const h = parseHeader(Buffer.from(raw.subarray(start, start + hlen)).toString('latin1'));
  if (h.fortran) throw bad('Fortran-ordered arrays are not supported (save with order="C")');
  const order = /^[<>|=]/.test(h.descr) ? (h.descr[0] as string) : '=';
  const kind = h.descr.slice(-2);
  const size = SIZES[kind];
  if (!size || kind === 'f2') throw bad(`dtype ${h.descr} is not supported (numeric only)`);
  const little = order !== '>';
  const count = h.shape.reduce((a, b) => a * b, 1);
  const offset = start + hlen;
  if (count * size > MAX_DATA_BYTES) throw bad('array is too large');
  if (raw.length - offset !== count * size)
    throw bad(
      `shape (${h.shape.join(', ')}) of ${h.descr} needs ${count * size} bytes, file holds ${raw.length - offset}`,
    );
  const dv = new DataView(raw.buffer, raw.byteOffset + offset, count * size);
  const read: Record<string, (k: number) => number> = {
    b1: (k) => (dv.getUint8(k) ? 1 : 0),
    u1: (k) => dv.getUint8(k),
    i1: (k) => dv.getInt8(k),
    u2: (k) => dv.getUint16(2 * k, little),
    i2: (k) => dv.getInt16(2 * k, little),
    u4: (k) => dv.getUint32(4 * k, little),
    i4: (k) => dv.getInt32(4 * k, little),
    u8: (k) => Number(dv.getBigUint64(8 * k, little)),
    i8: (k) => Number(dv.getBigInt64(8 * k, little)),
    f4: (k) => dv.getFloat32(4 * k, little),
    f8: (k) => dv.getFloat64(8 * k, little),
  };
  const r = read[kind] as (k: number) => number;
  const data = new Float32Array(count);
  for (let k = 0; k < count; k++) data[k] = r(k);
  return { dims: h.shape, dtype: h.descr, data };
}
