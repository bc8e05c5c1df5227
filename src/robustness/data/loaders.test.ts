import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { isWardenError, seededRandom } from '../../core/index.js';
import { parseIdxTensor } from './idx.js';
import { parseNpy } from './npy.js';
import { parseLabeledCsv } from './csv.js';
import { loadDataset, loadFashionMnist } from './dataset.js';

const tmp = mkdtempSync(join(tmpdir(), 'warden-loaders-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Writes a .npy file the way numpy.save does (version 1.0, header padded to 64 bytes). */
function npy(descr: string, shape: number[], body: Uint8Array): Uint8Array {
  const dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const padded = dict + ' '.repeat(64 - ((10 + dict.length + 1) % 64)) + '\n';
  const head = Buffer.alloc(10);
  head[0] = 0x93;
  head.write('NUMPY', 1, 'latin1');
  head[6] = 1;
  head.writeUInt16LE(padded.length, 8);
  return Buffer.concat([head, Buffer.from(padded, 'latin1'), body]);
}

function idx(code: number, dims: number[], body: Buffer): Uint8Array {
  const head = Buffer.alloc(4 + 4 * dims.length);
  head[2] = code;
  head[3] = dims.length;
  dims.forEach((d, k) => head.writeUInt32BE(d, 4 + 4 * k));
  return Buffer.concat([head, body]);
}

function expectTypedErrorsOnly(base: Uint8Array, parse: (b: Uint8Array) => unknown, seed: number): void {
  const rnd = seededRandom(seed);
  for (let t = 0; t < 300; t++) {
    const b = Uint8Array.from(base);
    for (let m = 0; m < 1 + Math.floor(rnd() * 4); m++)
      b[Math.floor(rnd() * b.length)] = Math.floor(rnd() * 256);
    const cut = rnd() < 0.3 ? b.subarray(0, Math.floor(rnd() * b.length)) : b;
    try {
      parse(cut);
    } catch (e) {
      expect(isWardenError(e), String(e)).toBe(true);
    }
  }
}

describe('.npy loader', () => {
  it('reads little- and big-endian numeric dtypes and gzip', () => {
    const f4 = Buffer.alloc(16);
    [0.5, -1, 2.25, 3].forEach((v, k) => f4.writeFloatLE(v, 4 * k));
    const a = parseNpy(npy('<f4', [2, 2], f4));
    expect(a.dims).toEqual([2, 2]);
    expect(Array.from(a.data)).toEqual([0.5, -1, 2.25, 3]);
    const i2 = Buffer.alloc(6);
    [1, -300, 7].forEach((v, k) => i2.writeInt16BE(v, 2 * k));
    expect(Array.from(parseNpy(gzipSync(npy('>i2', [3], i2))).data)).toEqual([1, -300, 7]);
    const i8 = Buffer.alloc(16);
    i8.writeBigInt64LE(5n, 0);
    i8.writeBigInt64LE(9n, 8);
    expect(Array.from(parseNpy(npy('<i8', [2], i8)).data)).toEqual([5, 9]);
    expect(parseNpy(npy('|u1', [1, 3], Buffer.from([0, 128, 255]))).dtype).toBe('|u1');
  });

  it('rejects object arrays, Fortran order and size mismatches with typed errors', () => {
    expect(() => parseNpy(npy('|O8', [1], Buffer.alloc(8)))).toThrow(/dtype/);
    expect(() => parseNpy(npy('<f4', [3], Buffer.alloc(8)))).toThrow(/needs 12 bytes/);
    const fortran = Buffer.from(npy('<f4', [1], Buffer.alloc(4)))
      .toString('latin1')
      .replace('False', 'True ');
    expect(() => parseNpy(Buffer.from(fortran, 'latin1'))).toThrow(/Fortran/);
  });

  it('never throws anything but typed errors on mutated input', () => {
    expectTypedErrorsOnly(npy('<f4', [2, 3], Buffer.alloc(24)), parseNpy, 5);
  });
});

describe('CSV loader', () => {
  it('skips a header, takes the label column and checks every row', () => {
    const t = parseLabeledCsv(Buffer.from('label,a,b\n1,0.5,2\r\n0,1e-3,-4\n\n'));
    expect(t).toMatchObject({ rows: 2, features: 2, header: true });
    expect(Array.from(t.labels)).toEqual([1, 0]);
    expect(Array.from(t.x)).toEqual([0.5, 2, 1e-3, -4].map(Math.fround));
    expect(Array.from(parseLabeledCsv(Buffer.from('1,2,3\n4,5,6\n'), { labelColumn: -1 }).labels)).toEqual([
      3, 6,
    ]);
    expect(() => parseLabeledCsv(Buffer.from('1,2\n3\n'))).toThrow(/line 2 has 1 columns/);
    expect(() => parseLabeledCsv(Buffer.from('1,2\n3,x\n'))).toThrow(/not a number/);
    expect(() => parseLabeledCsv(Buffer.from('1,2\n3,4\n5,6\n'), { maxRows: 2 })).toThrow(/more than 2 rows/);
  });

  it('never throws anything but typed errors on mutated input', () => {
    expectTypedErrorsOnly(
      Buffer.from('y,a,b,c\n1,0.1,0.2,0.3\n2,4,5,6\n0,7,8,9\n'),
      (b) => parseLabeledCsv(b),
      6,
    );
  });
});

describe('generic IDX and data sets from files', () => {
  it('reads every IDX element type big-endian', () => {
    const f = Buffer.alloc(8);
    f.writeFloatBE(1.5, 0);
    f.writeFloatBE(-2, 4);
    expect(Array.from(parseIdxTensor(idx(0x0d, [2], f)).data)).toEqual([1.5, -2]);
    const d = Buffer.alloc(8);
    d.writeDoubleBE(0.25, 0);
    expect(parseIdxTensor(idx(0x0e, [1], d))).toMatchObject({ type: 'float64', dims: [1] });
    expect(Array.from(parseIdxTensor(idx(0x09, [2], Buffer.from([0xff, 3]))).data)).toEqual([-1, 3]);
    expectTypedErrorsOnly(idx(0x0c, [2, 2], Buffer.alloc(16)), parseIdxTensor, 7);
  });

  it('loads npy, CSV and IDX files into data sets scaled and shaped for the models', () => {
    const px = Buffer.from(Array.from({ length: 3 * 64 }, (_, k) => k % 256));
    writeFileSync(join(tmp, 'x.npy'), npy('|u1', [3, 8, 8], px));
    writeFileSync(join(tmp, 'y.npy'), npy('<i8', [3], Buffer.from(new BigInt64Array([0n, 2n, 1n]).buffer)));
    const a = loadDataset({ data: join(tmp, 'x.npy'), labels: join(tmp, 'y.npy') }, 'test');
    expect(a).toMatchObject({ shape: [1, 8, 8], classes: 3, size: 3 });
    expect(a.x[255 % 192]).toBeCloseTo(63 / 255, 6);
    const csv = ['label,' + Array.from({ length: 64 }, (_, k) => `p${k}`).join(',')];
    for (let r = 0; r < 4; r++)
      csv.push([r % 2, ...Array.from({ length: 64 }, (_, k) => (k * r) % 256)].join(','));
    writeFileSync(join(tmp, 'd.csv'), csv.join('\n'));
    const c = loadDataset({ data: join(tmp, 'd.csv') }, 'train');
    expect(c).toMatchObject({ shape: [1, 8, 8], classes: 2, size: 4, range: [0, 1] });
    writeFileSync(join(tmp, 'i.idx'), idx(0x08, [2, 2, 2], Buffer.from([0, 255, 0, 0, 1, 1, 1, 1])));
    writeFileSync(join(tmp, 'l.idx'), idx(0x08, [2], Buffer.from([1, 0])));
    expect(loadDataset({ data: join(tmp, 'i.idx'), labels: join(tmp, 'l.idx') }, 'train').x[1]).toBe(1);
    writeFileSync(join(tmp, 'bad.idx'), idx(0x08, [3], Buffer.from([1, 0, 7])));
    expect(() => loadDataset({ data: join(tmp, 'i.idx'), labels: join(tmp, 'bad.idx') }, 'train')).toThrow(
      /2 examples but 3 labels/,
    );
    expect(() => loadDataset({ data: join(tmp, 'i.idx') }, 'train')).toThrow(/--labels is required/);
    expect(() => loadDataset({ data: join(tmp, 'none.csv') }, 'train')).toThrow(/cannot read/);
  });

  it('ships a Fashion-MNIST subset', () => {
    const { train, test } = loadFashionMnist();
    expect([train.size, test.size]).toEqual([1600, 400]);
    // the Fashion-MNIST test set starts with ankle boot, pullover, trouser, trouser, shirt (NOTICE.md)
    expect(Array.from(train.y.subarray(0, 5))).toEqual([9, 2, 1, 1, 6]);
  });
});
