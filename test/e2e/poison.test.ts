import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Model } from '../../src/robustness/index.js';

// Black-box: the built CLI (npm test builds first), as a user runs it.
const CLI = new URL('../../dist/cli/main.js', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'warden-poison-e2e-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function warden(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, 'poison', ...args], { encoding: 'utf8', timeout: 300_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('warden poison', () => {
  it("scan reads an ONNX model's activations on the shipped digits and writes evidence", () => {
    const model = join(dir, 'mlp.onnx');
    writeFileSync(model, Model.create('mnist-mlp', 1).toOnnx());
    const report = join(dir, 'scan.json');
    const r = warden([
      'scan',
      '--model',
      model,
      '--limit',
      '400',
      '--json',
      '--report',
      report,
      '--detectors',
      'spectral,knn',
    ]);
    expect(r.err).toBe('');
    const out = JSON.parse(r.out) as {
      samples: number;
      detectors: Record<string, { flagged: number; indices: number[] }>;
    };
    expect(out.samples).toBe(400);
    expect(Object.keys(out.detectors)).toEqual(['spectral', 'knn']);
    // spectral signatures remove 1.5 x 10% of each class
    expect(out.detectors.spectral?.flagged).toBeGreaterThan(40);
    const ev = JSON.parse(readFileSync(report, 'utf8')) as { kind: string; metrics: Record<string, number> };
    expect(ev.kind).toBe('poisoning');
    expect(ev.metrics.samples).toBe(400);
  });

  it('eval runs the backdoor experiment and activation clustering removes the backdoor', () => {
    const r = warden([
      'eval',
      '--rate',
      '0.05',
      '--train-size',
      '3000',
      '--epochs',
      '2',
      '--detectors',
      'activation_clustering',
      '--json',
    ]);
    expect(r.code).toBe(0);
    const e = JSON.parse(r.out) as {
      poisoned: number;
      attackSuccess: number;
      detectors: { recall: number; precision: number; attackSuccess: number }[];
    };
    expect(e.poisoned).toBe(150);
    expect(e.attackSuccess).toBeGreaterThan(0.5);
    const ac = e.detectors[0];
    expect(ac?.recall).toBeGreaterThan(0.8);
    expect(ac?.attackSuccess).toBeLessThan(0.2);
  }, 300_000);

  it('bad input: typed errors and exit 2', () => {
    const cases: [string[], RegExp][] = [
      [['scan'], /give --model/],
      [['scan', '--features', join(dir, 'none.csv'), '--label', 'y'], /NOT_FOUND/],
      [['scan', '--model', join(dir, 'mlp.onnx'), '--detectors', 'nope'], /unknown detector/],
      [['eval', '--rate', '0.9'], /USAGE/],
    ];
    for (const [args, err] of cases) {
      const r = warden(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err).toMatch(err);
    }
  });
});
