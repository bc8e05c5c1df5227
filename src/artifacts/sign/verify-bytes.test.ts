import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateKeyPair } from './keys.js';
import { signModel } from './sign.js';
import { verifyModelBytes } from './verify-bytes.js';

const dir = mkdtempSync(join(tmpdir(), 'warden-vbytes-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const keys = generateKeyPair('p256');
const bytes = randomBytes(10_000);
const code = (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (e: { code?: string }) => e.code,
  );

async function signed(name: string, shardSize?: number): Promise<string> {
  const d = join(dir, name);
  mkdirSync(d);
  writeFileSync(join(d, 'm.bin'), bytes);
  const r = await signModel(join(d, 'm.bin'), {
    privateKey: keys.privatePem,
    ...(shardSize ? { shardSize } : {}),
  });
  return r.signaturePath;
}

describe('verifyModelBytes', () => {
  it('verifies in-memory bytes against a per-file and a sharded signature', async () => {
    for (const [name, shard] of [
      ['files', undefined],
      ['shards', 3000],
    ] as const) {
      const sig = await signed(name, shard);
      const r = await verifyModelBytes(bytes, sig, { publicKey: keys.publicPem });
      expect(r.resources).toBe(shard ? 4 : 1);
      expect(r.signer).toMatch(/^public key sha256:/);
    }
  });

  it('refuses changed, truncated or extended bytes and a different key', async () => {
    const sig = await signed('tamper', 4096);
    const flipped = Buffer.from(bytes);
    flipped[5000] = flipped[5000]! ^ 1;
    expect(await code(verifyModelBytes(flipped, sig, { publicKey: keys.publicPem }))).toBe('DIGEST_MISMATCH');
    const short = bytes.subarray(0, 9000);
    expect(await code(verifyModelBytes(short, sig, { publicKey: keys.publicPem }))).toBe('DIGEST_MISMATCH');
    const long = Buffer.concat([bytes, Buffer.from([0])]);
    expect(await code(verifyModelBytes(long, sig, { publicKey: keys.publicPem }))).toBe('DIGEST_MISMATCH');
    const other = generateKeyPair('p256');
    expect(await code(verifyModelBytes(bytes, sig, { publicKey: other.publicPem }))).toBe('KEY_MISMATCH');
  });

  it('refuses a signature over a directory of several files', async () => {
    const d = join(dir, 'multi');
    mkdirSync(d);
    writeFileSync(join(d, 'a.bin'), bytes);
    writeFileSync(join(d, 'b.bin'), bytes);
    const r = await signModel(d, { privateKey: keys.privatePem });
    expect(await code(verifyModelBytes(bytes, r.signaturePath, { publicKey: keys.publicPem }))).toBe(
      'UNSUPPORTED',
    );
  });
});
