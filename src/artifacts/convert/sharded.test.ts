import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { py } from '../formats/pickle/samples.js';
import { ConvertRefusedError } from './errors.js';
import { convertSharded } from './sharded.js';
import { readSafetensors, stateDict, storageId, tensorV2, torchZip, type TorchValue } from './testing.js';

const tmp = mkdtempSync(join(tmpdir(), 'warden-sharded-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const f32 = (...v: number[]): Buffer => Buffer.from(new Float32Array(v).buffer);

/** A two-shard checkpoint in its own directory, as transformers writes one. */
function sharded(name: string, second: Record<string, TorchValue> = {}): string {
  const dir = join(tmp, name);
  mkdirSync(dir);
  const shard = (entries: Record<string, TorchValue>, storages: Record<string, Uint8Array>): Buffer =>
    torchZip(stateDict(entries), storages);
  writeFileSync(
    join(dir, 'pytorch_model-00001-of-00002.bin'),
    shard(
      {
        'a.weight': tensorV2(storageId('FloatStorage', '0', 4), 0, [2, 2], [1, 2]),
        'a.bias': tensorV2(storageId('FloatStorage', '1', 2), 0, [2], [1]),
      },
      { '0': f32(1, 2, 3, 4), '1': f32(5, 6) },
    ),
  );
  writeFileSync(
    join(dir, 'pytorch_model-00002-of-00002.bin'),
    shard(
      { 'b.weight': tensorV2(storageId('HalfStorage', '0', 2), 0, [2], [1]), ...second },
      {
        '0': Buffer.from('003c00c1', 'hex'),
      },
    ),
  );
  const weightMap = {
    'a.weight': 'pytorch_model-00001-of-00002.bin',
    'a.bias': 'pytorch_model-00001-of-00002.bin',
    'b.weight': 'pytorch_model-00002-of-00002.bin',
  };
  writeFileSync(
    join(dir, 'pytorch_model.bin.index.json'),
    JSON.stringify({ metadata: { total_size: 28 }, weight_map: weightMap }),
  );
  return join(dir, 'pytorch_model.bin.index.json');
}

describe('convertSharded', () => {
  it('converts every shard and writes model.safetensors.index.json', async () => {
    const index = sharded('ok');
    const r = await convertSharded(index);
    expect(r.totalSize).toBe(16 + 8 + 4);
    const dir = join(tmp, 'ok');
    const out = JSON.parse(readFileSync(join(dir, 'model.safetensors.index.json'), 'utf8')) as unknown;
    expect(out).toEqual({
      metadata: { total_size: 28 },
      weight_map: {
        'a.bias': 'model-00001-of-00002.safetensors',
        'a.weight': 'model-00001-of-00002.safetensors',
        'b.weight': 'model-00002-of-00002.safetensors',
      },
    });
    const one = readSafetensors(join(dir, 'model-00001-of-00002.safetensors'));
    expect(one.tensors.get('a.weight')!.bytes.equals(f32(1, 3, 2, 4))).toBe(true);
    expect(one.tensors.get('a.bias')!.bytes.equals(f32(5, 6))).toBe(true);
    const two = readSafetensors(join(dir, 'model-00002-of-00002.safetensors'));
    expect(two.tensors.get('b.weight')).toMatchObject({ dtype: 'F16', shape: [2] });
    expect(two.metadata.format).toBe('pt');
  });

  it('one malicious shard: refused, no shard and no index left behind', async () => {
    const index = sharded('evil', { x: py.call('posix', 'system', ['id']) });
    await expect(convertSharded(index)).rejects.toBeInstanceOf(ConvertRefusedError);
    expect(readdirSync(join(tmp, 'evil')).filter((f) => !f.startsWith('pytorch_model'))).toEqual([]);
  });

  it('a tensor missing from the index or a shard path outside the directory is an input error', async () => {
    const index = sharded('extra', { 'c.weight': tensorV2(storageId('HalfStorage', '0', 2), 0, [2], [1]) });
    await expect(convertSharded(index)).rejects.toMatchObject({ code: 'FORMAT_INVALID', kind: 'input' });
    expect(readdirSync(join(tmp, 'extra')).filter((f) => !f.startsWith('pytorch_model'))).toEqual([]);
    const bad = join(tmp, 'escape.index.json');
    writeFileSync(bad, JSON.stringify({ weight_map: { w: '../outside.bin' } }));
    await expect(convertSharded(bad)).rejects.toMatchObject({ code: 'FORMAT_INVALID' });
    expect(existsSync(join(tmp, 'model.safetensors.index.json'))).toBe(false);
  });
});
