import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { py } from '../../src/artifacts/formats/pickle/samples.js';
import {
  plainDict,
  readSafetensors,
  stateDict,
  storageId,
  tensorV2,
  torchZip,
} from '../../src/artifacts/convert/testing.js';
import { torchTar } from '../../src/artifacts/convert/testing-tar.js';

// Black-box: the built CLI (npm test builds first), as a user runs it.
const CLI = new URL('../../dist/cli/main.js', import.meta.url).pathname;
const REAL = new URL('../fixtures/convert/real.pt', import.meta.url).pathname;
const tmp = mkdtempSync(join(tmpdir(), 'warden-convert-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function warden(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const f32 = (...v: number[]): Buffer => Buffer.from(new Float32Array(v).buffer);

describe('warden convert', () => {
  it('converts a checkpoint and prints a summary (exit 0)', () => {
    const ckpt = join(tmp, 'model.pt');
    writeFileSync(
      ckpt,
      torchZip(
        plainDict({
          state_dict: stateDict({
            'fc.weight': tensorV2(storageId('FloatStorage', '0', 6), 0, [3, 2], [1, 3]),
          }),
          step: 10,
        }),
        { '0': f32(0, 1, 2, 3, 4, 5) },
      ),
    );
    const r = warden(['convert', ckpt, '--to', 'safetensors']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('1 tensors');
    expect(r.out).toContain('left out: step');
    const st = readSafetensors(join(tmp, 'model.safetensors'));
    expect(st.tensors.get('state_dict.fc.weight')!.bytes.equals(f32(0, 3, 1, 4, 2, 5))).toBe(true);
    expect(warden(['convert', ckpt, '--to', 'safetensors']).code).toBe(2); // exists
    expect(warden(['convert', ckpt, '--to', 'safetensors', '--force']).code).toBe(0);
  });

  it('converts the real torch.save fixture with --json', () => {
    const out = join(tmp, 'real.safetensors');
    const r = warden(['convert', REAL, '--to', 'safetensors', '--out', out, '--json']);
    expect(r.code).toBe(0);
    const res = JSON.parse(r.out) as { tensors: number; output: string };
    expect(res).toMatchObject({ tensors: 12, output: out });
    expect(readSafetensors(out).tensors.size).toBe(12);
  });

  it('refuses a malicious checkpoint: exit 1, findings printed, nothing written', () => {
    const ckpt = join(tmp, 'evil.pt');
    writeFileSync(
      ckpt,
      torchZip(
        plainDict({
          w: tensorV2(storageId('FloatStorage', '0', 1), 0, [1], [1]),
          x: py.call('builtins', 'exec', ['import os']),
        }),
        { '0': f32(1) },
      ),
    );
    const out = join(tmp, 'evil.safetensors');
    const r = warden(['convert', ckpt, '--to', 'safetensors', '-o', out, '--no-color']);
    expect(r.code).toBe(1);
    expect(r.out).toContain('builtins.exec');
    expect(r.err).toContain('not converting');
    expect(existsSync(out)).toBe(false);
  });

  it('converts a sharded checkpoint from its index into --out DIR', () => {
    const dir = join(tmp, 'sharded');
    const out = join(tmp, 'sharded-out');
    mkdirSync(dir);
    mkdirSync(out);
    const shards = ['pytorch_model-00001-of-00002.bin', 'pytorch_model-00002-of-00002.bin'];
    shards.forEach((s, i) =>
      writeFileSync(
        join(dir, s),
        torchZip(stateDict({ [`l${i}.w`]: tensorV2(storageId('FloatStorage', '0', 2), 0, [2], [1]) }), {
          '0': f32(i, -i),
        }),
      ),
    );
    const index = join(dir, 'pytorch_model.bin.index.json');
    writeFileSync(
      index,
      JSON.stringify({ metadata: {}, weight_map: { 'l0.w': shards[0], 'l1.w': shards[1] } }),
    );
    const r = warden(['convert', index, '--to', 'safetensors', '--out', out]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('2 shards');
    expect(readdirSync(out).sort()).toEqual([
      'model-00001-of-00002.safetensors',
      'model-00002-of-00002.safetensors',
      'model.safetensors.index.json',
    ]);
    const two = readSafetensors(join(out, 'model-00002-of-00002.safetensors'));
    expect(two.tensors.get('l1.w')!.bytes.equals(f32(1, -1))).toBe(true);
  });

  it('garbage and usage errors exit 2 and write nothing', () => {
    const junk = join(tmp, 'junk.bin');
    writeFileSync(junk, 'PK\x03\x04 this is not really a zip');
    const r = warden(['convert', junk, '--to', 'safetensors']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/warden: error [A-Z_]+:/);
    expect(warden(['convert', junk]).code).toBe(2); // --to is required
    expect(warden(['convert', junk, '--to', 'onnx']).code).toBe(2);
    expect(warden(['convert', join(tmp, 'missing.pt'), '--to', 'safetensors']).code).toBe(2);
    expect(readdirSync(tmp).filter((f) => f.startsWith('junk') || f.endsWith('.tmp'))).toEqual(['junk.bin']);
  });
  it('scans and converts a torch < 0.4 tar checkpoint', () => {
    const ckpt = join(tmp, 'old-tar.pt');
    const w = f32(1, 2, 3, 4);
    writeFileSync(
      ckpt,
      torchTar(
        stateDict({ 'lin.weight': py.persid('7') }),
        [{ key: 3, type: 'FloatStorage', bytes: w, size: 4 }],
        [{ key: 7, storage: 3, type: 'FloatTensor', size: [2, 2], stride: [1, 2], offset: 0 }],
      ),
    );
    const scan = warden(['scan', ckpt, '-f', 'json']);
    expect(scan.code).toBe(0);
    expect((JSON.parse(scan.out) as { verdict: string }).verdict).toBe('pass');
    const out = join(tmp, 'old-tar.safetensors');
    const r = warden(['convert', ckpt, '--to', 'safetensors', '-o', out]);
    expect(r).toMatchObject({ code: 0 });
    const t = readSafetensors(out).tensors.get('lin.weight')!;
    expect(t).toMatchObject({ dtype: 'F32', shape: [2, 2] });
    expect(t.bytes).toEqual(f32(1, 3, 2, 4));
  });
});
