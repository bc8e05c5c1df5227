import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BUNDLE_MEDIA_TYPE, pae, parseBundle, pythonBytesRepr } from './bundle.js';
import { digitalSignatureBit } from './certs.js';
import { SignError } from './errors.js';
import { hashJobs } from './hash.js';
import { parseStatement } from './payload.js';
import { compareResources } from './manifest.js';
import { comparePaths, walkModel } from './walk.js';

const tmp = mkdtempSync(join(tmpdir(), 'warden-bundle-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function errCode(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    return e instanceof SignError ? e.code : 'OTHER';
  }
  return undefined;
}

describe('bundle helpers', () => {
  it('PAE is the DSSE v1 encoding', () => {
    expect(pae(Buffer.from('{}')).toString()).toBe('DSSEv1 28 application/vnd.in-toto+json 2 {}');
  });

  it("renders bytes as Python's repr does", () => {
    expect(pythonBytesRepr(Buffer.from('a\n"b\'\\\x00\xff', 'latin1'))).toBe(`b'a\\n"b\\'\\\\\\x00\\xff'`);
    expect(pythonBytesRepr(Buffer.from("it's"))).toBe(`b"it's"`);
  });

  it('rejects malformed bundles with MALFORMED_BUNDLE', () => {
    const env = {
      payload: 'e30=',
      payloadType: 'application/vnd.in-toto+json',
      signatures: [{ sig: 'AAAA' }],
    };
    const ok = {
      mediaType: BUNDLE_MEDIA_TYPE,
      verificationMaterial: { publicKey: { hint: 'ab' } },
      dsseEnvelope: env,
    };
    expect(parseBundle(JSON.stringify(ok)).kind).toBe('key');
    for (const bad of [
      '',
      '[]',
      JSON.stringify({ ...ok, mediaType: 'application/json' }),
      JSON.stringify({ ...ok, extra: 1 }),
      JSON.stringify({ ...ok, verificationMaterial: {} }),
      JSON.stringify({ ...ok, dsseEnvelope: { ...env, payloadType: 'text/plain' } }),
      JSON.stringify({ ...ok, dsseEnvelope: { ...env, signatures: [] } }),
      JSON.stringify({ ...ok, dsseEnvelope: { ...env, payload: 'not base64!' } }),
    ])
      expect(errCode(() => parseBundle(bad))).toBe('MALFORMED_BUNDLE');
  });
});

describe('ordering and hashing', () => {
  it('orders paths by component and shards by offset, as the reference sorts', () => {
    expect(['a-b', 'a/b', 'a'].sort(comparePaths)).toEqual(['a', 'a/b', 'a-b']);
    expect(['f:1000:1500', 'f:0:500', 'f:500:1000'].sort(compareResources)).toEqual([
      'f:0:500',
      'f:500:1000',
      'f:1000:1500',
    ]);
  });

  it('hashes ranges on workers and inline alike', async () => {
    const f = join(tmp, 'big');
    writeFileSync(f, Buffer.alloc(70 * 1024 * 1024, 1));
    const jobs = [
      { path: f, start: 0, end: 70 * 1024 * 1024 },
      { path: f, start: 5, end: 5 },
      { path: f, start: 3, end: 1 << 20 },
    ];
    const parallel = await hashJobs(jobs, { concurrency: 2 });
    const inline = await hashJobs(jobs, { concurrency: 1, chunkSize: 65536 });
    expect(parallel).toEqual(inline);
    expect(inline[1]).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('walks a directory without ignored paths and refuses special names', async () => {
    const d = join(tmp, 'm');
    mkdirSync(join(d, '.git'), { recursive: true });
    mkdirSync(join(d, 'skip'), { recursive: true });
    writeFileSync(join(d, '.git', 'x'), '');
    writeFileSync(join(d, 'skip', 'y'), '');
    writeFileSync(join(d, 'z'), '');
    const files = await walkModel(d, { ignorePaths: ['.git', join(d, 'skip')] });
    expect(files.map((f) => f.name)).toEqual(['z']);
  });

  it('reads the KeyUsage digitalSignature bit', () => {
    const ext = (bits: number) =>
      Buffer.from([
        0x30,
        0x0e,
        0x06,
        0x03,
        0x55,
        0x1d,
        0x0f,
        0x01,
        0x01,
        0xff,
        0x04,
        0x04,
        0x03,
        0x02,
        0x07,
        bits,
      ]);
    expect(digitalSignatureBit(ext(0x80))).toBe(true);
    expect(digitalSignatureBit(ext(0x04))).toBe(false);
    expect(digitalSignatureBit(Buffer.from([1, 2, 3]))).toBeUndefined();
  });
});

describe('statement parsing', () => {
  const statement = (serialization: object, algorithm: string) => {
    const digest = 'ab'.repeat(32);
    const resources = [{ name: 'w.bin:0:10', algorithm, digest }];
    const root = createHash('sha256').update(Buffer.from(digest, 'hex')).digest('hex');
    return Buffer.from(
      JSON.stringify({
        _type: 'https://in-toto.io/Statement/v1',
        subject: [{ name: 'm', digest: { sha256: root } }],
        predicateType: 'https://model_signing/signature/v1.0',
        predicate: { serialization, resources },
      }),
    );
  };
  it('reads shard_size written as an integer or as a float (protobuf Struct doubles)', () => {
    const ser = { method: 'shards', hash_type: 'sha256', allow_symlinks: false, shard_size: 10 };
    for (const [size, algo] of [
      ['10.0', 'sha256-sharded-10'],
      ['1e1', 'sha256-sharded-10'],
      ['10', 'sha256-sharded-10.0'],
      ['10.0', 'sha256-sharded-10.0'],
    ] as const) {
      const text = statement(ser, algo).toString().replace('"shard_size":10', `"shard_size":${size}`);
      const m = parseStatement(Buffer.from(text));
      expect(m.serialization.shard_size).toBe(10);
      expect(m.resources[0]!.name).toBe('w.bin:0:10');
    }
  });

  it('accepts both shard digest namings and rejects other algorithms', () => {
    const ser = { method: 'shards', hash_type: 'sha256', allow_symlinks: false, shard_size: 10 };
    expect(parseStatement(statement(ser, 'sha256-sharded-10')).resources).toHaveLength(1);
    expect(parseStatement(statement(ser, 'sha256')).resources).toHaveLength(1);
    expect(
      parseStatement(statement({ ...ser, hash_type: 'sha256-sharded-10' }, 'sha256-sharded-10')).resources,
    ).toHaveLength(1);
    expect(errCode(() => parseStatement(statement(ser, 'blake2b')))).toBe('MALFORMED_PAYLOAD');
    expect(errCode(() => parseStatement(statement(ser, 'sha256-sharded-11')))).toBe('MALFORMED_PAYLOAD');
    expect(errCode(() => parseStatement(statement({ ...ser, shard_size: 10.5 }, 'sha256')))).toBe(
      'MALFORMED_PAYLOAD',
    );
    expect(errCode(() => parseStatement(statement({ ...ser, shard_size: undefined }, 'sha256')))).toBe(
      'MALFORMED_PAYLOAD',
    );
    expect(errCode(() => parseStatement(statement({ ...ser, extra: 1 }, 'sha256')))).toBe(
      'MALFORMED_PAYLOAD',
    );
  });
});
