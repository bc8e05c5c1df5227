import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseBundle } from './bundle.js';
import { SignError } from './errors.js';
import { CURVES, generateKeyPair } from './keys.js';
import { parseStatement } from './payload.js';
import { signModel } from './sign.js';
import { verifyModel } from './verify.js';
import { digestModel } from './digest.js';

const FIX = new URL('../../../test/fixtures/signing/model-transparency/', import.meta.url).pathname;
const KEYS = join(FIX, 'keys/certificate');
const tmp = mkdtempSync(join(tmpdir(), 'warden-sign-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function model(name: string): string {
  const dir = join(tmp, name);
  mkdirSync(join(dir, 'sub'), { recursive: true });
  mkdirSync(join(dir, '.git'), { recursive: true });
  writeFileSync(join(dir, 'weights.bin'), Buffer.alloc(3000, 7));
  writeFileSync(join(dir, 'sub', 'config.json'), '{"a":1}');
  writeFileSync(join(dir, '.git', 'HEAD'), 'ref: x');
  return dir;
}

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'OK';
  } catch (e) {
    if (e instanceof SignError) return e.code;
    throw e;
  }
}

describe('sign and verify', () => {
  it.each(CURVES)('round trip with a %s key', async (curve) => {
    const dir = model(`rt-${curve}`);
    const { privatePem, publicPem } = generateKeyPair(curve);
    const s = await signModel(dir, { privateKey: privatePem });
    expect(s.resources).toBe(2);
    const v = await verifyModel(dir, { publicKey: publicPem });
    expect(v.rootDigest).toBe(s.rootDigest);
    expect((await digestModel(dir)).rootDigest).toBe(s.rootDigest);
    const other = generateKeyPair(curve).publicPem;
    expect(await code(verifyModel(dir, { publicKey: other }))).toBe('KEY_MISMATCH');
  });

  it('detects tampering, extra, missing files and a bad signature', async () => {
    const dir = model('tamper');
    const { privatePem, publicPem } = generateKeyPair('p256');
    await signModel(dir, { privateKey: privatePem });
    const w = join(dir, 'weights.bin');
    const orig = readFileSync(w);
    const flipped = Buffer.from(orig);
    flipped[1234]! ^= 1;
    writeFileSync(w, flipped);
    await expect(verifyModel(dir, { publicKey: publicPem })).rejects.toThrow(/weights\.bin/);
    expect(await code(verifyModel(dir, { publicKey: publicPem }))).toBe('DIGEST_MISMATCH');
    writeFileSync(w, orig);
    writeFileSync(join(dir, 'extra.txt'), 'x');
    expect(await code(verifyModel(dir, { publicKey: publicPem }))).toBe('UNSIGNED_FILE');
    expect(await code(verifyModel(dir, { publicKey: publicPem, ignoreUnsignedFiles: true }))).toBe('OK');
    expect(await code(verifyModel(dir, { publicKey: publicPem, ignorePaths: ['extra.txt'] }))).toBe('OK');
    rmSync(join(dir, 'extra.txt'));
    rmSync(join(dir, 'sub', 'config.json'));
    expect(await code(verifyModel(dir, { publicKey: publicPem }))).toBe('MISSING_FILE');
    writeFileSync(join(dir, 'sub', 'config.json'), '{"a":1}');
    expect(await code(verifyModel(dir, { publicKey: publicPem }))).toBe('OK');
    const sigPath = join(dir, 'model.sig');
    const bundle = JSON.parse(readFileSync(sigPath, 'utf8')) as {
      dsseEnvelope: { signatures: { sig: string }[] };
    };
    const sig = Buffer.from(bundle.dsseEnvelope.signatures[0]!.sig, 'base64');
    sig[sig.length - 3]! ^= 0x01;
    bundle.dsseEnvelope.signatures[0]!.sig = sig.toString('base64');
    writeFileSync(sigPath, JSON.stringify(bundle));
    expect(await code(verifyModel(dir, { publicKey: publicPem }))).toBe('BAD_SIGNATURE');
  });

  it('shards: names path:start:end, and a changed shard is caught', async () => {
    const dir = model('shards');
    writeFileSync(join(dir, 'empty'), '');
    const { privatePem, publicPem } = generateKeyPair('p384');
    const s = await signModel(dir, { privateKey: privatePem, shardSize: 1000 });
    expect(s.manifest.resources.map((r) => r.name)).toEqual([
      'sub/config.json:0:7',
      'weights.bin:0:1000',
      'weights.bin:1000:2000',
      'weights.bin:2000:3000',
    ]);
    expect(s.manifest.serialization).toMatchObject({
      method: 'shards',
      hash_type: 'sha256',
      shard_size: 1000,
    });
    expect(s.manifest.resources[0]!.algorithm).toBe('sha256-sharded-1000');
    expect(await code(verifyModel(dir, { publicKey: publicPem }))).toBe('OK');
    writeFileSync(join(dir, 'weights.bin'), Buffer.alloc(3001, 7));
    expect(await code(verifyModel(dir, { publicKey: publicPem }))).toBe('DIGEST_MISMATCH');
  });

  it('a one-file model is signed as "." with the bundle beside it, as the reference does', async () => {
    const dir = model('single');
    const file = join(dir, 'weights.bin');
    const { privatePem, publicPem } = generateKeyPair('p256');
    const s = await signModel(file, { privateKey: privatePem });
    expect(s.manifest.resources.map((r) => r.name)).toEqual(['.']);
    expect(s.signaturePath).toBe(join(dir, 'model.sig'));
    expect(await code(verifyModel(file, { publicKey: publicPem }))).toBe('OK');
    const shards = await signModel(file, { privateKey: privatePem, shardSize: 1000 });
    expect(shards.manifest.resources.map((r) => r.name)).toEqual(['.:0:1000', '.:1000:2000', '.:2000:3000']);
  });

  it('refuses symlinks unless allowed', async () => {
    const dir = model('links');
    symlinkSync(join(dir, 'weights.bin'), join(dir, 'link.bin'));
    const { privatePem, publicPem } = generateKeyPair('p256');
    expect(await code(signModel(dir, { privateKey: privatePem }))).toBe('SYMLINK_REFUSED');
    await signModel(dir, { privateKey: privatePem, allowSymlinks: true });
    expect(await code(verifyModel(dir, { publicKey: publicPem }))).toBe('OK');
  });

  it('signs with a certificate chain that the reference chain verifies', async () => {
    const dir = model('cert');
    const pem = (f: string) => readFileSync(join(KEYS, f), 'utf8');
    await signModel(dir, {
      privateKey: pem('signing-key.pem'),
      certificate: pem('signing-key-cert.pem'),
      certificateChain: [pem('int-ca-cert.pem')],
    });
    const v = await verifyModel(dir, { certificateChain: [pem('int-ca-cert.pem'), pem('ca-cert.pem')] });
    expect(v.material).toBe('certificate-chain');
    // the same verification material as the reference v1.1.0 wrote with this certificate and chain
    const ref = parseBundle(readFileSync(join(FIX, 'v1.1.0-certificate/model.sig'), 'utf8')).bundle;
    const mine = parseBundle(readFileSync(join(dir, 'model.sig'), 'utf8')).bundle;
    expect(mine.verificationMaterial).toEqual(ref.verificationMaterial);
    expect(await code(verifyModel(dir, { certificateChain: [pem('int-ca-cert.pem')] }))).toBe(
      'UNTRUSTED_CERTIFICATE',
    );
  });

  it('writes the statement the reference v1.1.0 wrote for the same model', async () => {
    const dir = join(tmp, 'v1.1.0-elliptic-key');
    cpSync(join(FIX, 'v1.1.0-elliptic-key'), dir, { recursive: true });
    rmSync(join(dir, 'model.sig'));
    const key = readFileSync(join(KEYS, 'signing-key.pem'));
    await signModel(dir, { privateKey: key, ignorePaths: ['ignore-me'] });
    const mine = readFileSync(join(dir, 'model.sig'), 'utf8');
    const ref = readFileSync(join(FIX, 'v1.1.0-elliptic-key/model.sig'), 'utf8');
    const decode = (t: string) => {
      const b = parseBundle(t).bundle;
      const st = JSON.parse(Buffer.from(b.dsseEnvelope.payload, 'base64').toString()) as {
        predicate: { serialization: { ignore_paths: string[] } };
      };
      st.predicate.serialization.ignore_paths.sort(); // a set, in any order
      return { b, st };
    };
    const a = decode(mine);
    const b = decode(ref);
    expect(a.st).toEqual(b.st); // same content (the reference's key order inside the predicate varies)
    expect(a.b.verificationMaterial).toEqual(b.b.verificationMaterial);
    expect(Object.keys(a.b)).toEqual(Object.keys(b.b));
    expect(mine.slice(0, 120)).toBe(ref.slice(0, 120));
    expect(parseStatement(Buffer.from(a.b.dsseEnvelope.payload, 'base64')).modelName).toBe(
      'v1.1.0-elliptic-key',
    );
  });
});
