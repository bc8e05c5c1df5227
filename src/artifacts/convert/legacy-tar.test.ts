import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { py, type PyValue } from '../formats/pickle/samples.js';
import { scanFile } from '../scan/engine.js';
import { convertCheckpoint } from './convert.js';
import { ConvertError, ConvertRefusedError } from './errors.js';
import { readSafetensors, stateDict } from './testing.js';
import { torchTar } from './testing-tar.js';

const tmp = mkdtempSync(join(tmpdir(), 'warden-legacy-tar-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const ref = (key: number): PyValue => py.persid(String(key));
let n = 0;
const file = (b: Buffer): string => {
  const p = join(tmp, `old${n++}.pt`);
  writeFileSync(p, b);
  return p;
};

const f32 = (...v: number[]): Buffer => Buffer.from(new Float32Array(v).buffer);

describe('torch < 0.4 tar checkpoints', () => {
  const weight = f32(...Array.from({ length: 6 }, (_, i) => i + 0.5));
  const big = Buffer.from(new Float64Array([1, 2, 3, 4, 5, 6, 7, 8]).buffer);
  const ckpt = torchTar(
    stateDict({ 'fc.weight': ref(10), 'fc.weight_t': ref(11), 'fc.bias': ref(12), 'emb.row': ref(13) }),
    [
      { key: 1, type: 'FloatStorage', bytes: weight, size: 6 },
      { key: 2, type: 'DoubleStorage', bytes: big, size: 8 },
    ],
    [
      { key: 10, storage: 1, type: 'FloatTensor', size: [2, 3], stride: [3, 1], offset: 0 },
      { key: 11, storage: 1, type: 'FloatTensor', size: [3, 2], stride: [1, 3], offset: 0 },
      { key: 12, storage: 3, type: 'DoubleTensor', size: [2], stride: [1], offset: 1 },
      { key: 13, storage: 2, type: 'DoubleTensor', size: [2], stride: [2], offset: 4 },
    ],
    [[3, 2, 4, 3]], // storage 3 = elements 4..6 of storage 2
  );

  it('scans clean: the tar members are read and nothing blocks', async () => {
    const r = await scanFile(file(ckpt));
    expect(r.findings.filter((f) => f.severity === 'high' || f.severity === 'critical')).toEqual([]);
  });

  it('converts every tensor byte for byte, views and strides included', async () => {
    const src = file(ckpt);
    const r = await convertCheckpoint(src, { out: join(tmp, 'old.safetensors') });
    expect(r.names).toEqual(['fc.weight', 'fc.weight_t', 'fc.bias', 'emb.row']);
    const st = readSafetensors(r.output);
    const f = (name: string) => st.tensors.get(name)!;
    expect(f('fc.weight')).toMatchObject({ dtype: 'F32', shape: [2, 3] });
    expect(f('fc.weight').bytes).toEqual(weight);
    expect(f('fc.weight_t').bytes).toEqual(f32(0.5, 3.5, 1.5, 4.5, 2.5, 5.5));
    expect(f('fc.bias')).toMatchObject({ dtype: 'F64', shape: [2] });
    expect(f('fc.bias').bytes).toEqual(Buffer.from(new Float64Array([6, 7]).buffer));
    expect(f('emb.row').bytes).toEqual(Buffer.from(new Float64Array([5, 7]).buffer));
  });

  it('a malicious pickle member is found by the scan and refuses the conversion', async () => {
    const evil = file(torchTar(py.call('posix', 'system', ['echo pwned']), [], []));
    const r = await scanFile(evil);
    expect(r.findings.some((f) => f.severity === 'critical' || f.severity === 'high')).toBe(true);
    await expect(convertCheckpoint(evil, { out: join(tmp, 'e.safetensors') })).rejects.toBeInstanceOf(
      ConvertRefusedError,
    );
  });

  it('refuses pickled modules, tensors outside a view, and mismatched types', async () => {
    const module = torchTar(py.persid(py.tuple(py.global('torch.nn', 'Linear'), 'linear.py', 'src')), [], []);
    await expect(convertCheckpoint(file(module), { out: join(tmp, 'm.safetensors') })).rejects.toBeInstanceOf(
      ConvertError,
    );
    const overrun = torchTar(
      stateDict({ w: ref(10) }),
      [{ key: 1, type: 'FloatStorage', bytes: weight, size: 6 }],
      [{ key: 10, storage: 3, type: 'FloatTensor', size: [3], stride: [1], offset: 0 }],
      [[3, 1, 4, 2]],
    );
    await expect(convertCheckpoint(file(overrun), { out: join(tmp, 'o.safetensors') })).rejects.toThrow(
      /reaches element/,
    );
    const mixed = torchTar(
      stateDict({ w: ref(10) }),
      [{ key: 1, type: 'FloatStorage', bytes: weight, size: 6 }],
      [{ key: 10, storage: 1, type: 'LongTensor', size: [1], stride: [1], offset: 0 }],
    );
    await expect(convertCheckpoint(file(mixed), { out: join(tmp, 'x.safetensors') })).rejects.toThrow(
      /differ in type/,
    );
  });
});
