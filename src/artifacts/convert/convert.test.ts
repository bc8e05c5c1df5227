import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { py } from '../formats/pickle/samples.js';
import { convertCheckpoint, sha256File } from './convert.js';
import { ConvertError, ConvertRefusedError } from './errors.js';
import {
  parameter,
  plainDict,
  readSafetensors,
  stateDict,
  storageId,
  tensorV2,
  tensorV3,
  torchZip,
} from './testing.js';

const tmp = mkdtempSync(join(tmpdir(), 'warden-convert-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let n = 0;
function file(bytes: Uint8Array): string {
  const p = join(tmp, `ckpt${n++}.pt`);
  writeFileSync(p, bytes);
  return p;
}

const f32 = (...v: number[]): Buffer => Buffer.from(new Float32Array(v).buffer);
const f64 = (...v: number[]): Buffer => Buffer.from(new Float64Array(v).buffer);
const i64 = (...v: bigint[]): Buffer => Buffer.from(new BigInt64Array(v).buffer);
const u16 = (...v: number[]): Buffer => Buffer.from(new Uint16Array(v).buffer);
const range = (k: number): number[] => Array.from({ length: k }, (_, i) => i);

/** A checkpoint exercising views, dtypes, tying and nesting, with the bytes each tensor must have. */
function sample(): { path: string; expected: Record<string, [string, number[], Buffer]> } {
  const w = storageId('FloatStorage', '0', 12);
  const base = storageId('DoubleStorage', '3', 24);
  const value = plainDict({
    model: stateDict({
      'fc.weight': parameter(tensorV2(w, 0, [4, 3], [3, 1])),
      'fc.bias': tensorV2(storageId('FloatStorage', '1', 4), 0, [4], [1]),
    }),
    extra: plainDict({
      transposed: tensorV2(storageId('FloatStorage', '2', 6), 0, [3, 2], [1, 3]),
      view: tensorV2(base, 8, [2, 3], [6, 1]),
      col: tensorV2(base, 1, [4], [6]),
      half: tensorV2(storageId('HalfStorage', '4', 3), 0, [3], [1]),
      bf16: tensorV2(storageId('BFloat16Storage', '5', 3), 0, [3], [1]),
      long: tensorV2(storageId('LongStorage', '6', 3), 0, [3], [1]),
      mask: tensorV2(storageId('BoolStorage', '7', 3), 0, [3], [1]),
      u16: tensorV3(storageId('UntypedStorage', '8', 4), 0, [2], [1], 'uint16'),
      scalar: tensorV2(storageId('IntStorage', '9', 1), 0, [], []),
      expanded: tensorV2(storageId('FloatStorage', '10', 2), 0, [3, 2], [0, 1]),
      empty: tensorV2(storageId('FloatStorage', '11', 0), 0, [0, 5], [5, 1]),
    }),
    tied: tensorV2(w, 0, [4, 3], [3, 1]),
    epoch: 3,
    name: 'run-1',
  });
  const half = Buffer.from('003c00c1ff7b', 'hex');
  const bf16 = Buffer.from('803f20c04940', 'hex');
  const storages = {
    '0': f32(...range(12).map((x) => x / 4)),
    '1': f32(-1.5, 0.25, 2, 1e-3),
    '2': f32(0, 1, 2, 3, 4, 5),
    '3': f64(...range(24)),
    '4': half,
    '5': bf16,
    '6': i64(1n, -2n, 2n ** 40n),
    '7': Buffer.from([1, 0, 1]),
    '8': u16(1, 65535),
    '9': Buffer.from([7, 0, 0, 0]),
    '10': f32(0.5, -0.5),
    '11': Buffer.alloc(0),
  };
  return {
    path: file(torchZip(value, storages)),
    expected: {
      'model.fc.weight': ['F32', [4, 3], storages['0']],
      'model.fc.bias': ['F32', [4], storages['1']],
      'extra.transposed': ['F32', [3, 2], f32(0, 3, 1, 4, 2, 5)],
      'extra.view': ['F64', [2, 3], f64(8, 9, 10, 14, 15, 16)],
      'extra.col': ['F64', [4], f64(1, 7, 13, 19)],
      'extra.half': ['F16', [3], half],
      'extra.bf16': ['BF16', [3], bf16],
      'extra.long': ['I64', [3], storages['6']],
      'extra.mask': ['BOOL', [3], storages['7']],
      'extra.u16': ['U16', [2], storages['8']],
      'extra.scalar': ['I32', [], storages['9']],
      'extra.expanded': ['F32', [3, 2], f32(0.5, -0.5, 0.5, -0.5, 0.5, -0.5)],
      'extra.empty': ['F32', [0, 5], Buffer.alloc(0)],
      tied: ['F32', [4, 3], storages['0']],
    },
  };
}

describe('convertCheckpoint', () => {
  it('writes every tensor byte-exact: views, dtypes, ties, nesting', async () => {
    const { path, expected } = sample();
    const out = join(tmp, 'sample.safetensors');
    const r = await convertCheckpoint(path, { out });
    expect(r.tensors).toBe(Object.keys(expected).length);
    expect(r.skipped.sort()).toEqual(['epoch', 'name']);
    expect(r.shared).toEqual([
      ['model.fc.weight', 'tied'],
      ['extra.view', 'extra.col'],
    ]);
    const st = readSafetensors(out);
    expect([...st.tensors.keys()].sort()).toEqual(Object.keys(expected).sort());
    for (const [name, [dtype, shape, bytes]] of Object.entries(expected)) {
      const t = st.tensors.get(name)!;
      expect({ name, dtype: t.dtype, shape: t.shape }).toEqual({ name, dtype, shape });
      expect(t.bytes.equals(bytes), name).toBe(true);
    }
    const { converted_by: by, ...meta } = st.metadata;
    expect(by).toMatch(/^warden \d/);
    expect(meta).toEqual({
      format: 'pt',
      source_sha256: sha256File(path),
      shared_storage: JSON.stringify(r.shared),
    });
    expect((8 + st.headerLength) % 8).toBe(0);
    // reference order: 8-byte dtypes first, then 4, 2, 1; names ascending within a size
    expect(st.order.slice(0, 3)).toEqual(['extra.col', 'extra.long', 'extra.view']);
    expect(st.order.at(-1)).toBe('extra.mask');
    expect(readdirSync(tmp).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('matches what real torch.save wrote (test/fixtures/convert)', async () => {
    const fixture = new URL('../../../test/fixtures/convert/', import.meta.url).pathname;
    const expected = JSON.parse(readFileSync(join(fixture, 'expected.json'), 'utf8')) as {
      tensors: Record<string, { dtype: string; shape: number[]; hex: string }>;
    };
    const out = join(tmp, 'real.safetensors');
    const r = await convertCheckpoint(join(fixture, 'real.pt'), { out });
    expect(r.skipped).toEqual(['epoch']);
    expect(r.shared).toEqual([['model.weight', 'tied']]);
    const st = readSafetensors(out);
    expect([...st.tensors.keys()].sort()).toEqual(Object.keys(expected.tensors).sort());
    for (const [name, e] of Object.entries(expected.tensors)) {
      const t = st.tensors.get(name)!;
      expect({ name, dtype: t.dtype, shape: t.shape, hex: t.bytes.toString('hex') }).toEqual({ name, ...e });
    }
  });

  it('converts the legacy (non-zip) torch.save format of the same fixture', async () => {
    const fixture = new URL('../../../test/fixtures/convert/', import.meta.url).pathname;
    const expected = JSON.parse(readFileSync(join(fixture, 'expected.json'), 'utf8')) as {
      tensors: Record<string, { dtype: string; shape: number[]; hex: string }>;
    };
    delete expected.tensors['extra.u16']; // not in legacy.pt (see generate.py)
    const out = join(tmp, 'legacy.safetensors');
    const r = await convertCheckpoint(join(fixture, 'legacy.pt'), { out });
    expect(r.shared).toEqual([['model.weight', 'tied']]);
    const st = readSafetensors(out);
    expect([...st.tensors.keys()].sort()).toEqual(Object.keys(expected.tensors).sort());
    for (const [name, e] of Object.entries(expected.tensors)) {
      const t = st.tensors.get(name)!;
      expect({ name, dtype: t.dtype, shape: t.shape, hex: t.bytes.toString('hex') }).toEqual({ name, ...e });
    }
    // a legacy file cut inside its storage records is an input error
    const cut = readFileSync(join(fixture, 'legacy.pt')).subarray(0, -10);
    await expect(convertCheckpoint(file(cut), { out: join(tmp, 'cut.safetensors') })).rejects.toMatchObject({
      kind: 'input',
    });
  });

  it('refuses a checkpoint the scanner flags, writing nothing', async () => {
    const evil = plainDict({
      w: tensorV2(storageId('FloatStorage', '0', 1), 0, [1], [1]),
      x: py.call('os', 'system', ['echo pwned']),
    });
    const path = file(torchZip(evil, { '0': f32(1) }));
    const out = join(tmp, 'evil.safetensors');
    const e = await convertCheckpoint(path, { out }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ConvertRefusedError);
    expect((e as ConvertRefusedError).findings.some((f) => f.severity === 'critical')).toBe(true);
    expect(existsSync(out)).toBe(false);
  });

  it('refuses globals outside the allowlist even when the scanner lets them pass', async () => {
    const odd = plainDict({ x: py.call('collections', 'Counter', []) });
    const e = await convertCheckpoint(file(torchZip(odd, {})), { out: join(tmp, 'odd.safetensors') }).catch(
      (x: unknown) => x,
    );
    expect(e).toMatchObject({ code: 'GLOBAL_NOT_ALLOWED', kind: 'input' });
  });

  it.each([
    ['garbage', Buffer.from('not a checkpoint at all, just text\n'), /./],
    ['big-endian', torchZip(plainDict({}), {}, { byteorder: 'big' }), /byte order/],
    [
      'view past its storage',
      torchZip(plainDict({ w: tensorV2(storageId('FloatStorage', '0', 2), 1, [2], [1]) }), {
        '0': f32(1, 2),
      }),
      /reaches element 2/,
    ],
    [
      'storage shorter than declared',
      torchZip(plainDict({ w: tensorV2(storageId('FloatStorage', '0', 4), 0, [4], [1]) }), {
        '0': f32(1, 2),
      }),
      /holds 8 bytes/,
    ],
    [
      'expanded view of a petabyte',
      torchZip(plainDict({ w: tensorV2(storageId('FloatStorage', '0', 1), 0, [2 ** 25, 2 ** 25], [0, 0]) }), {
        '0': f32(1),
      }),
      /over the limit/,
    ],
    [
      'missing storage',
      torchZip(plainDict({ w: tensorV2(storageId('FloatStorage', '0', 1), 0, [1], [1]) }), {}),
      /no member/,
    ],
  ])('%s: typed input error, nothing written', async (_label, bytes, message) => {
    const out = join(tmp, `bad${n}.safetensors`);
    const e = await convertCheckpoint(file(bytes), { out }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(Error);
    expect(['input', 'limit']).toContain((e as ConvertError).kind);
    expect((e as Error).message).toMatch(message);
    expect(existsSync(out)).toBe(false);
  });

  it('does not replace an existing output unless asked', async () => {
    const { path } = sample();
    const out = join(tmp, 'exists.safetensors');
    writeFileSync(out, 'keep');
    await expect(convertCheckpoint(path, { out })).rejects.toMatchObject({ code: 'USAGE' });
    expect(readFileSync(out, 'utf8')).toBe('keep');
    await convertCheckpoint(path, { out, overwrite: true });
    expect(readSafetensors(out).tensors.size).toBeGreaterThan(0);
  });
});
