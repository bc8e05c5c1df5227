import { GgufType } from './types.js';

/**
 * Builds GGUF files for tests and benchmarks. Values are written with an explicit type so tests
 * can produce any layout, including hostile ones (wrong counts, huge lengths).
 */

/** A typed metadata value to write. */
export type GgufValue =
  | {
      type: 'u8' | 'i8' | 'u16' | 'i16' | 'u32' | 'i32' | 'f32' | 'bool' | 'u64' | 'i64' | 'f64';
      value: number;
    }
  | { type: 'string'; value: string }
  | { type: 'array'; elem: 'string'; values: string[] }
  | { type: 'array'; elem: 'u32' | 'f32' | 'i32'; values: number[] }
  | { type: 'array'; elem: 'array'; values: GgufValue[] };

/** A tensor info to write; the data section is zero-filled to cover every tensor. */
export interface GgufTensorSpec {
  name: string;
  dims: number[];
  type: number;
  offset: number;
  /** Bytes the tensor occupies (for sizing the data section). */
  bytes: number;
}

const SCALAR: Record<string, [number, number]> = {
  u8: [GgufType.UINT8, 1],
  i8: [GgufType.INT8, 1],
  u16: [GgufType.UINT16, 2],
  i16: [GgufType.INT16, 2],
  u32: [GgufType.UINT32, 4],
  i32: [GgufType.INT32, 4],
  f32: [GgufType.FLOAT32, 4],
  bool: [GgufType.BOOL, 1],
  u64: [GgufType.UINT64, 8],
  i64: [GgufType.INT64, 8],
  f64: [GgufType.FLOAT64, 8],
};

/** Growable little-endian byte sink. */
export class LeWriter {
  private parts: Buffer[] = [];
  length = 0;
  constructor(readonly v1 = false) {}
  raw(b: Uint8Array): this {
    this.parts.push(Buffer.from(b));
    this.length += b.length;
    return this;
  }
  u32(v: number): this {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(v >>> 0);
    return this.raw(b);
  }
  u64(v: number | bigint): this {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt.asUintN(64, BigInt(v)));
    return this.raw(b);
  }
  len(v: number | bigint): this {
    return this.v1 ? this.u32(Number(v)) : this.u64(v);
  }
  str(s: string): this {
    const b = Buffer.from(s, 'utf8');
    return this.len(b.length).raw(b);
  }
  scalar(type: string, v: number): this {
    const [, size] = SCALAR[type]!;
    const b = Buffer.alloc(size);
    if (type === 'f32') b.writeFloatLE(v);
    else if (type === 'f64') b.writeDoubleLE(v);
    else if (size === 8) b.writeBigUInt64LE(BigInt.asUintN(64, BigInt(v)));
    else if (size === 4) b.writeUInt32LE(v >>> 0);
    else if (size === 2) b.writeUInt16LE(v & 0xffff);
    else b[0] = v & 0xff;
    return this.raw(b);
  }
  toBuffer(): Buffer {
    return Buffer.concat(this.parts);
  }
}

function typeId(v: GgufValue): number {
  if (v.type === 'string') return GgufType.STRING;
  if (v.type === 'array') return GgufType.ARRAY;
  return SCALAR[v.type]![0];
}

function writeValue(w: LeWriter, v: GgufValue): void {
  if (v.type === 'string') w.str(v.value);
  else if (v.type === 'array') {
    w.u32(v.elem === 'string' ? GgufType.STRING : v.elem === 'array' ? GgufType.ARRAY : SCALAR[v.elem]![0]);
    w.len(v.values.length);
    for (const x of v.values) {
      if (typeof x === 'string') w.str(x);
      else if (typeof x === 'number') w.scalar(v.elem, x);
      else writeValue(w, x);
    }
  } else w.scalar(v.type, v.value);
}

/** Header bytes (magic through tensor infos), unpadded. */
export function ggufHeader(kvs: Array<[string, GgufValue]>, tensors: GgufTensorSpec[], version = 3): Buffer {
  const w = new LeWriter(version === 1);
  w.raw(Buffer.from('GGUF', 'latin1')).u32(version).len(tensors.length).len(kvs.length);
  for (const [k, v] of kvs) {
    w.str(k).u32(typeId(v));
    writeValue(w, v);
  }
  for (const t of tensors) {
    w.str(t.name).u32(t.dims.length);
    for (const d of t.dims) w.len(d);
    w.u32(t.type).u64(t.offset);
  }
  return w.toBuffer();
}

/** A complete GGUF file: header, padding to `alignment`, zero-filled data. */
export function buildGguf(
  kvs: Array<[string, GgufValue]>,
  tensors: GgufTensorSpec[],
  opts: { version?: number; alignment?: number } = {},
): Buffer {
  const head = ggufHeader(kvs, tensors, opts.version ?? 3);
  const alignment = opts.alignment ?? 32;
  const pad = (alignment - (head.length % alignment)) % alignment;
  const dataSize = tensors.reduce((m, t) => Math.max(m, t.offset + t.bytes), 0);
  return Buffer.concat([head, Buffer.alloc(pad + dataSize)]);
}
