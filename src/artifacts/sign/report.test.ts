import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateKeyPair } from './keys.js';
import { verifyReport } from './report.js';
import { signModel } from './sign.js';
import { inspectModel, verifyModel } from './verify.js';

const tmp = mkdtempSync(join(tmpdir(), 'warden-verify-report-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const times = { startedAt: '2026-01-01T00:00:00Z', finishedAt: '2026-01-01T00:00:01Z' };

function model(name: string): string {
  const dir = join(tmp, name);
  mkdirSync(join(dir, 'sub'), { recursive: true });
  writeFileSync(join(dir, 'a.bin'), Buffer.alloc(3000, 1));
  writeFileSync(join(dir, 'b.bin'), Buffer.alloc(10, 2));
  writeFileSync(join(dir, 'sub', 'c.json'), '{}');
  return dir;
}

describe('verification reports', () => {
  const { privatePem, publicPem } = generateKeyPair('p256');

  it('a verified model: no findings, the root digest, the signer and the file count', async () => {
    const dir = model('ok');
    const s = await signModel(dir, { privateKey: privatePem });
    const r = verifyReport(dir, await inspectModel(dir, { publicKey: publicPem }), times);
    expect(r).toMatchObject({
      kind: 'verify',
      verdict: 'pass',
      findings: [],
      subject: { name: dir, digest: `sha256:${s.rootDigest}` },
      metrics: { files: 3, resources: 3, failures: 0 },
      verification: { verified: true, material: 'key', rootDigest: `sha256:${s.rootDigest}` },
    });
    expect(r.verification.signer).toMatch(/^public key sha256:[0-9a-f]{64}$/);
    expect(r.items.map((i) => i.status)).toEqual(['clean', 'clean', 'clean']);
  });

  it('collects every failure, one finding per file, worst first then by path', async () => {
    const dir = model('bad');
    await signModel(dir, { privateKey: privatePem, shardSize: 1024 });
    writeFileSync(join(dir, 'a.bin'), Buffer.alloc(3000, 9)); // same size, other bytes
    writeFileSync(join(dir, 'b.bin'), Buffer.alloc(11, 2)); // grew
    rmSync(join(dir, 'sub', 'c.json'));
    writeFileSync(join(dir, 'new.py'), 'import os');
    const o = await inspectModel(dir, { publicKey: publicPem });
    const r = verifyReport(dir, o, times);
    expect(r.verdict).toBe('fail');
    expect(r.findings.map((f) => [f.id, f.severity, f.location?.path])).toEqual([
      ['DIGEST_MISMATCH', 'critical', join(dir, 'a.bin')],
      ['DIGEST_MISMATCH', 'critical', join(dir, 'b.bin')],
      ['UNSIGNED_FILE', 'high', join(dir, 'new.py')],
      ['MISSING_FILE', 'high', join(dir, 'sub/c.json')],
    ]);
    // the throwing API still answers with one code
    await expect(verifyModel(dir, { publicKey: publicPem })).rejects.toMatchObject({
      code: 'DIGEST_MISMATCH',
      message: expect.stringMatching(/^2 failures: b.bin changed size.*a.bin: content differs/) as unknown,
    });
  });

  it('a signature that does not verify is one critical finding on the bundle', async () => {
    const dir = model('key');
    await signModel(dir, { privateKey: privatePem });
    const other = generateKeyPair('p256').publicPem;
    const r = verifyReport(dir, await inspectModel(dir, { publicKey: other }), times);
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0]).toMatchObject({ id: 'KEY_MISMATCH', severity: 'critical' });
    expect(r.findings[0]!.location?.path).toBe(join(dir, 'model.sig'));
    expect(r.verification).toEqual({ signaturePath: join(dir, 'model.sig'), verified: false });
    expect(r.subject.digest).toBeUndefined();
  });
});
