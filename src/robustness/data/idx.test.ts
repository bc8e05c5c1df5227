import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { isWardenError, seededRandom } from '../../core/index.js';
import { parseIdx } from './idx.js';
import { fromIdx, loadMnist } from './dataset.js';

function idx(dims: number[], data: number[]): Uint8Array {
  const head = Buffer.alloc(4 + 4 * dims.length);
  head[2] = 0x08;
  head[3] = dims.length;
  dims.forEach((d, k) => head.writeUInt32BE(d, 4 + 4 * k));
  return Buffer.concat([head, Buffer.from(data)]);
}

describe('IDX parser', () => {
  it('reads raw and gzipped files', () => {
    const raw = idx([2, 2, 2], [0, 255, 1, 2, 3, 4, 5, 6]);
    for (const b of [raw, gzipSync(raw)]) {
      const a = parseIdx(b);
      expect(a.dims).toEqual([2, 2, 2]);
      expect(Array.from(a.data)).toEqual([0, 255, 1, 2, 3, 4, 5, 6]);
    }
  });

  it('builds a dataset scaled to [0, 1] and checks labels', () => {
    const d = fromIdx('t', idx([2, 1, 2], [0, 255, 51, 102]), idx([2], [3, 1]));
    expect(d.shape).toEqual([1, 1, 2]);
    expect(Array.from(d.x)).toEqual([0, 1, 0.2, 0.4].map(Math.fround));
    expect(() => fromIdx('t', idx([2, 1, 2], [0, 0, 0, 0]), idx([2], [3, 10]))).toThrow(/label/);
    expect(() => fromIdx('t', idx([2, 1, 2], [0, 0, 0, 0]), idx([3], [1, 1, 1]))).toThrow(/labels/);
  });

  it('rejects bad headers with typed errors', () => {
    for (const bad of [
      new Uint8Array(0),
      Uint8Array.from([1, 2, 3, 4]),
      idx([3], [1, 2]),
      Uint8Array.from([0, 0, 0x0d, 1, 0, 0, 0, 0]),
    ])
      expect(() => parseIdx(bad)).toThrow(expect.objectContaining({ code: 'DATA_INVALID' }));
  });

  it('never throws anything but typed errors on mutated input', () => {
    const rnd = seededRandom(3);
    const base = gzipSync(
      idx(
        [4, 3, 3],
        Array.from({ length: 36 }, (_, k) => k),
      ),
    );
    for (let t = 0; t < 300; t++) {
      const b = Uint8Array.from(base);
      for (let m = 0; m < 1 + Math.floor(rnd() * 4); m++)
        b[Math.floor(rnd() * b.length)] = Math.floor(rnd() * 256);
      const cut = rnd() < 0.3 ? b.subarray(0, Math.floor(rnd() * b.length)) : b;
      try {
        parseIdx(cut);
      } catch (e) {
        expect(isWardenError(e)).toBe(true);
      }
    }
  });

  it('ships the MNIST test digits as the embedded default', () => {
    const { train, test } = loadMnist();
    expect(train.size).toBe(8000);
    expect(test.size).toBe(2000);
    expect(train.shape).toEqual([1, 28, 28]);
    // the first labels of the MNIST test set are 7, 2, 1, 0, 4 (NOTICE)
    expect(Array.from(train.y.subarray(0, 5))).toEqual([7, 2, 1, 0, 4]);
  });
});
