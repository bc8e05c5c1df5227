/**
 * Builds safetensors files for tests and benchmarks: a header (padded with spaces to 8 bytes, as
 * the reference writer does) and zero-filled tensor data.
 */

import { DTYPE_BITS } from './header.js';

/** A tensor to write: name, dtype, shape; `bytes` overrides the computed size. */
export interface TensorSpec {
  name: string;
  dtype: string;
  shape: number[];
  bytes?: number;
}

/** The header object and total data size for `tensors` laid out back to back. */
export function safetensorsLayout(
  tensors: TensorSpec[],
  metadata?: Record<string, string>,
): { header: Record<string, unknown>; dataSize: number } {
  const header: Record<string, unknown> = {};
  if (metadata) header['__metadata__'] = metadata;
  let offset = 0;
  for (const t of tensors) {
    // unknown dtypes (hostile-header tests) take one byte per element
    const bits = DTYPE_BITS[t.dtype] ?? 8;
    const n = t.bytes ?? Math.ceil((t.shape.reduce((a, b) => a * b, 1) * bits) / 8);
    header[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + n] };
    offset += n;
  }
  return { header, dataSize: offset };
}

/** Length prefix plus space-padded header JSON. */
export function encodeSafetensorsHeader(header: unknown): Buffer {
  let json = Buffer.from(JSON.stringify(header), 'utf8');
  const pad = (8 - (json.length % 8)) % 8;
  if (pad) json = Buffer.concat([json, Buffer.alloc(pad, 0x20)]);
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([len, json]);
}

/** A complete in-memory safetensors file. */
export function buildSafetensors(
  tensors: TensorSpec[],
  metadata?: Record<string, string>,
  extra = 0,
): Buffer {
  const { header, dataSize } = safetensorsLayout(tensors, metadata);
  return Buffer.concat([encodeSafetensorsHeader(header), Buffer.alloc(dataSize + extra)]);
}
