import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { verifyModel } from '../artifacts/index.js';
import { Model } from '../robustness/index.js';
import { demoKey, exportArtifacts, scanSamples } from './artifacts.js';
import type { Variant } from './train.js';

const tmp = mkdtempSync(join(tmpdir(), 'warden-demo-artifacts-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const quiet = { update: () => {}, done: () => 0 };

describe('demo artifacts', () => {
  it('exports, scans, signs and verifies each variant; the signature catches a changed file', async () => {
    const key = demoKey(join(tmp, 'keys'));
    const variants = ['baseline', 'pgd-at'].map((name, k) => {
      const model = Model.create('mnist-mlp', k);
      return { name, description: name, model, bytes: model.toOnnx(), trainSeconds: 0 } as Variant;
    });
    const arts = await exportArtifacts(variants, tmp, key, quiet);
    expect(arts.map((a) => a.variant)).toEqual(['baseline', 'pgd-at']);
    for (const a of arts) {
      expect(a.scan.verdict).toBe('pass');
      expect(a.verify.verdict).toBe('pass');
      expect(a.signer).toMatch(/^public key /);
      expect(a.rootDigest).toMatch(/^[0-9a-f]{64}$/);
    }
    expect(arts[0]!.rootDigest).not.toBe(arts[1]!.rootDigest);
    writeFileSync(arts[0]!.path, Buffer.from('tampered'));
    await expect(verifyModel(arts[0]!.path, { publicKey: key.publicPem })).rejects.toThrow();
  });

  it('scans the sample set: every malicious file blocked, every benign one passed', async () => {
    const r = await scanSamples(join(tmp, 'samples'));
    expect(r.wrong).toEqual([]);
    expect(r.asExpected).toBe(r.files);
    expect(r.blocked).toBeGreaterThan(0);
    expect(r.blocked).toBeLessThan(r.files);
    expect(r.report.verdict).toBe('fail');
  });
});
