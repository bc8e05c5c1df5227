import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CryptError } from './errors.js';
import { decryptPath, decryptStream, decryptToBuffer, encryptPath } from './files.js';
import { DEFAULT_CHUNK } from './format.js';
import { LocalKeyProvider, createKekFile, keyProviderFromSpec, parseKek } from './keys.js';
import { decryptChunks } from './stream.js';
import { CHUNK, KEK, collect, encryptBuffer, once, payload, provider, split } from './testing.js';

const tmp = mkdtempSync(join(tmpdir(), 'warden-crypt-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('chunked envelope encryption', () => {
  it.each([
    ['empty', 0, 1],
    ['one byte', 1, 1],
    ['exactly one chunk', CHUNK, 1],
    ['one chunk and a byte', CHUNK + 1, 2],
    ['several chunks', CHUNK * 5 + 17, 6],
  ])('round trips %s', async (_name, n, chunks) => {
    const plain = payload(n);
    const enc = await encryptBuffer(plain);
    expect(split(enc).frames).toHaveLength(chunks);
    expect(await decryptToBuffer(enc, provider)).toEqual(plain);
  });

  it('round trips several MiB with the default chunk size, fed in odd slices', async () => {
    const plain = payload(3 * DEFAULT_CHUNK + 12345);
    const enc = await encryptBuffer(plain, DEFAULT_CHUNK);
    function* slices(): Generator<Buffer> {
      for (let at = 0; at < enc.length; at += 99_991) yield enc.subarray(at, at + 99_991);
    }
    expect((await collect(decryptChunks(slices(), provider))).equals(plain)).toBe(true);
    expect((await collect(decryptStream(enc, provider))).equals(plain)).toBe(true);
  });

  it('uses a fresh data key, file id and nonce prefix each time', async () => {
    const plain = payload(100);
    const [a, b] = [await encryptBuffer(plain), await encryptBuffer(plain)];
    expect(a.subarray(12, 36).equals(b.subarray(12, 36))).toBe(false);
    expect(split(a).frames[0]!.equals(split(b).frames[0]!)).toBe(false);
  });

  it('refuses a wrong KEK by its id, before touching any chunk', async () => {
    const enc = await encryptBuffer(payload(10));
    const other = new LocalKeyProvider(Buffer.alloc(32, 8));
    await expect(decryptToBuffer(enc, other)).rejects.toMatchObject({ code: 'KEK_MISMATCH' });
  });

  it('refuses input that is not encrypted', async () => {
    await expect(decryptToBuffer(Buffer.from('PK\x03\x04 zip'), provider)).rejects.toMatchObject({
      code: 'NOT_ENCRYPTED',
    });
    await expect(collect(decryptChunks(once(Buffer.alloc(0)), provider))).rejects.toBeInstanceOf(CryptError);
  });

  it('caps the in-memory size', async () => {
    const enc = await encryptBuffer(payload(500));
    await expect(decryptToBuffer(enc, provider, { maxBytes: 100 })).rejects.toMatchObject({
      code: 'LIMIT_EXCEEDED',
    });
  });
});

describe('KEKs', () => {
  it('reads 32 raw bytes, hex and base64 text, from a file or env:VAR', () => {
    const id = new LocalKeyProvider(KEK).id;
    expect(parseKek(KEK, 'x')).toEqual(KEK);
    expect(parseKek(Buffer.from(`${KEK.toString('hex')}\n`), 'x')).toEqual(KEK);
    expect(parseKek(Buffer.from(KEK.toString('base64')), 'x')).toEqual(KEK);
    const f = join(tmp, 'kek.bin');
    writeFileSync(f, KEK);
    expect(keyProviderFromSpec(f).id).toBe(id);
    expect(keyProviderFromSpec('env:WK', { WK: KEK.toString('hex') }).id).toBe(id);
  });

  it('rejects short keys, missing files and unset variables as KEK_INVALID', () => {
    expect(() => parseKek(Buffer.from('abcd'), 'x')).toThrow(/256-bit/);
    expect(() => keyProviderFromSpec(join(tmp, 'none'))).toThrow(CryptError);
    expect(() => keyProviderFromSpec('env:NOPE_WARDEN', {})).toThrow(/not set/);
  });

  it('creates a KEK file with mode 0600 and never replaces one', () => {
    const f = join(tmp, 'new.kek');
    const p = createKekFile(f);
    expect(statSync(f).mode & 0o777).toBe(0o600);
    expect(keyProviderFromSpec(f).id).toBe(p.id);
    expect(() => createKekFile(f)).toThrow(/exists/);
  });
});

describe('files and directories', () => {
  it('encrypts a file beside itself and decrypts it back', async () => {
    const f = join(tmp, 'model.onnx');
    const plain = payload(3 * CHUNK + 5);
    writeFileSync(f, plain);
    const e = await encryptPath(f, provider, { chunkSize: CHUNK });
    expect(e).toMatchObject({ output: `${f}.wenc`, files: 1, bytes: plain.length });
    const out = join(tmp, 'model-back.onnx');
    const d = await decryptPath(e.output, provider, { out });
    expect(d.bytes).toBe(plain.length);
    expect(readFileSync(out)).toEqual(plain);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    await expect(decryptPath(e.output, provider, { out })).rejects.toMatchObject({ code: 'OUTPUT_EXISTS' });
    await expect(decryptPath(f, provider)).rejects.toMatchObject({ code: 'USAGE' });
  });

  it('keeps a directory tree, one .wenc per file', async () => {
    const dir = join(tmp, 'tree');
    mkdirSync(join(dir, 'tok', 'empty'), { recursive: true });
    writeFileSync(join(dir, 'w.safetensors'), payload(1000));
    writeFileSync(join(dir, 'tok', 'vocab.txt'), 'a\nb\n');
    const e = await encryptPath(dir, provider);
    expect(e.files).toBe(2);
    expect(readdirSync(e.output, { recursive: true }).sort()).toEqual([
      'tok',
      'tok/empty',
      'tok/vocab.txt.wenc',
      'w.safetensors.wenc',
    ]);
    rmSync(dir, { recursive: true });
    await decryptPath(e.output, provider);
    expect(readFileSync(join(dir, 'tok', 'vocab.txt'), 'utf8')).toBe('a\nb\n');
    expect(statSync(join(dir, 'tok', 'empty')).isDirectory()).toBe(true);
  });

  it('refuses symbolic links inside a directory', async () => {
    const dir = join(tmp, 'linked');
    mkdirSync(dir);
    writeFileSync(join(dir, 'a.bin'), 'a');
    symlinkSync('/etc/passwd', join(dir, 'link'));
    await expect(encryptPath(dir, provider)).rejects.toMatchObject({ code: 'UNSUPPORTED' });
    expect(readdirSync(tmp).filter((n) => n.includes('linked.wenc'))).toEqual([]);
  });

  it('writes nothing when one file of a directory fails', async () => {
    const dir = join(tmp, 'tree2');
    mkdirSync(dir);
    writeFileSync(join(dir, 'a.bin'), payload(300));
    writeFileSync(join(dir, 'b.bin'), payload(300));
    const e = await encryptPath(dir, provider, { chunkSize: CHUNK });
    const b = join(e.output, 'b.bin.wenc');
    const enc = readFileSync(b);
    writeFileSync(b, enc.subarray(0, enc.length - 1));
    const out = join(tmp, 'tree2-out');
    await expect(decryptPath(e.output, provider, { out })).rejects.toMatchObject({ code: 'DECRYPT_FAILED' });
    expect(readdirSync(tmp).filter((n) => n.startsWith('tree2-out') || n.startsWith('.tree2-out'))).toEqual(
      [],
    );
  });
});
