import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bufferSource } from '../../core/index.js';
import { checkView, tensorChunks } from './tensor-bytes.js';
import { StorageRef, TensorRef, type DType } from './torch-pickle.js';

/** A seeded PRNG (mulberry32) so failures reproduce. */
function rng(seed: number): (n: number) => number {
  let a = seed;
  return (n) => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 2 ** 32) * n);
  };
}

/** Element-by-element reference gather in row-major order. */
function naive(storage: Buffer, t: TensorRef): Buffer {
  const es = t.dtype.size;
  const n = t.size.reduce((a, b) => a * b, 1);
  const out = Buffer.alloc(n * es);
  const idx = new Array<number>(t.size.length).fill(0);
  for (let k = 0; k < n; k++) {
    let e = t.offset;
    idx.forEach((v, d) => (e += v * t.stride[d]!));
    storage.copy(out, k * es, e * es, e * es + es);
    for (let d = t.size.length - 1; d >= 0; d--) {
      idx[d] = idx[d]! + 1;
      if (idx[d]! < t.size[d]!) break;
      idx[d] = 0;
    }
  }
  return out;
}

const DTYPES: DType[] = [
  { st: 'U8', size: 1 },
  { st: 'F16', size: 2 },
  { st: 'F32', size: 4 },
  { st: 'F64', size: 8 },
];

describe('tensorChunks', () => {
  it('matches an element-by-element gather for random views (permuted, sliced, expanded)', () => {
    const r = rng(42);
    for (let iter = 0; iter < 400; iter++) {
      const dtype = DTYPES[r(4)]!;
      const dims = 1 + r(4);
      const base = Array.from({ length: dims }, () => 1 + r(7));
      // a contiguous base tensor, then a view: permute dims, slice with steps, maybe expand one dim
      const baseStride = base.map((_, i) => base.slice(i + 1).reduce((a, b) => a * b, 1));
      const perm = base.map((_, i) => i).sort(() => r(3) - 1);
      let offset = 0;
      const size: number[] = [];
      const stride: number[] = [];
      for (const d of perm) {
        const start = r(base[d]!);
        const step = 1 + r(2);
        offset += start * baseStride[d]!;
        size.push(Math.max(0, Math.ceil((base[d]! - start) / step)));
        stride.push(baseStride[d]! * step);
      }
      if (r(4) === 0) {
        const d = r(dims);
        stride[d] = 0;
        size[d] = 1 + r(3);
      }
      const numel = base.reduce((a, b) => a * b, 1) + r(3);
      const bytes = randomBytes(numel * dtype.size);
      const t = new TensorRef(new StorageRef('0', dtype, numel, 'cpu'), dtype, offset, size, stride);
      checkView(t);
      const want = naive(bytes, t);
      for (const chunk of [1, 7, 64, 1 << 20]) {
        const got = Buffer.concat([...tensorChunks(bufferSource(bytes), t, chunk)]);
        expect(
          got.equals(want),
          `iter ${iter} chunk ${chunk} ${JSON.stringify({ size, stride, offset })}`,
        ).toBe(true);
      }
    }
  });

  it('a large transposed matrix takes the tiled path and stays exact', () => {
    const rows = 300;
    const cols = 517;
    const dtype = DTYPES[3]!;
    const bytes = randomBytes(rows * cols * 8);
    const t = new TensorRef(
      new StorageRef('0', dtype, rows * cols, 'cpu'),
      dtype,
      0,
      [cols, rows],
      [1, cols],
    );
    const got = Buffer.concat([...tensorChunks(bufferSource(bytes), t, 100_000)]);
    expect(got.equals(naive(bytes, t))).toBe(true);
  });
});
