import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

// Black-box: the built CLI trains a model, attacks the ONNX file it wrote, and certifies radii.
const CLI = new URL('../../dist/cli/main.js', import.meta.url).pathname;
const tmp = mkdtempSync(join(tmpdir(), 'warden-rob-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function warden(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('warden train / attack / certify', () => {
  const model = join(tmp, 'mlp.onnx');

  it('trains a model on the shipped digits and writes ONNX', () => {
    const r = warden(['train', '--model', 'mnist-mlp', '--epochs', '1', '--out', model, '--json']);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.out) as { testAccuracy: number; epochLoss: number[]; out: string };
    expect(s.testAccuracy).toBeGreaterThan(0.85);
    expect(s.epochLoss).toHaveLength(1);
  });

  it('attacks the ONNX file: PGD at eps 0.3 breaks an undefended model', () => {
    const r = warden([
      'attack',
      '--model',
      model,
      '--eps',
      '0.3',
      '--limit',
      '100',
      '--steps',
      '5',
      '--json',
    ]);
    expect(r.code).toBe(0);
    const rep = JSON.parse(r.out) as Record<string, number>;
    expect(rep.cleanAccuracy).toBeGreaterThan(0.8);
    expect(rep.robustAccuracy).toBeLessThan(0.05);
    expect(rep.maxPerturbation).toBeLessThanOrEqual(0.3 + 1e-6);
    const gate = warden([
      'attack',
      '--model',
      model,
      '--eps',
      '0.3',
      '--limit',
      '50',
      '--attack',
      'fgsm',
      '--json',
      '--min-robust-accuracy',
      '0.5',
    ]);
    expect(gate.code).toBe(1);
  });

  it('prints certified radii and ABSTAIN as null', () => {
    const ok = warden([
      'certify',
      'radius',
      '--n',
      '100000',
      '--na',
      '99000',
      '--alpha',
      '0.001',
      '--sigma',
      '0.25',
    ]);
    expect(ok.code).toBe(0);
    const c = JSON.parse(ok.out) as { pALower: number; radius: number };
    expect(Math.abs(c.radius - 0.5724999888034416)).toBeLessThan(1e-9);
    expect(
      JSON.parse(warden(['certify', 'radius', '--n', '100', '--na', '50', '--sigma', '0.25']).out),
    ).toMatchObject({ radius: null });
  });

  it('bad input exits 2 with a typed error', () => {
    const junk = join(tmp, 'junk.onnx');
    writeFileSync(junk, 'not a model');
    for (const args of [
      ['attack', '--model', junk, '--eps', '0.1'],
      ['attack', '--model', join(tmp, 'missing.onnx'), '--eps', '0.1'],
      ['attack', '--model', model, '--eps', '-1'],
      ['train', '--model', 'resnet-9000', '--out', join(tmp, 'x.onnx')],
      ['certify', 'radius', '--n', '10', '--na', '11', '--sigma', '1'],
      ['attack', '--model', model, '--eps', '0.1', '--data', junk],
    ]) {
      const r = warden(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err).toMatch(/error [A-Z_]+:/);
    }
  });
});
