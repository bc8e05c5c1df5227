import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

// Black-box: the built CLI (npm test builds first).
const CLI = new URL('../../dist/cli/main.js', import.meta.url).pathname;
const tmp = mkdtempSync(join(tmpdir(), 'warden-encrypt-e2e-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function warden(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, ...env },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('warden encrypt / decrypt', () => {
  it('round trips a file with a created KEK file and with env:VAR', () => {
    const f = join(tmp, 'model.onnx');
    const plain = randomBytes(2_500_000);
    writeFileSync(f, plain);
    const kek = join(tmp, 'k.hex');
    const enc = warden(['encrypt', f, '--kek', kek, '--create-kek', '--json']);
    expect(enc.code).toBe(0);
    expect(statSync(kek).mode & 0o777).toBe(0o600);
    expect(JSON.parse(enc.out)).toMatchObject({ output: `${f}.wenc`, files: 1, bytes: plain.length });
    expect(warden(['encrypt', f, '--kek', kek]).code).toBe(2); // output exists
    const hex = readFileSync(kek, 'utf8').trim();
    const out = join(tmp, 'back.onnx');
    const dec = warden(['decrypt', `${f}.wenc`, '--kek', 'env:WARDEN_TEST_KEK', '-o', out], {
      WARDEN_TEST_KEK: hex,
    });
    expect(dec).toMatchObject({ code: 0 });
    expect(readFileSync(out).equals(plain)).toBe(true);
  });

  it('refuses a wrong KEK and a tampered file with exit 2 and writes nothing', () => {
    const f = join(tmp, 'w.bin');
    writeFileSync(f, randomBytes(100_000));
    const kek = join(tmp, 'k2.bin');
    writeFileSync(kek, randomBytes(32));
    expect(warden(['encrypt', f, '--kek', kek, '--chunk-size', '4096']).code).toBe(0);
    const wrong = join(tmp, 'wrong.bin');
    writeFileSync(wrong, randomBytes(32));
    const out = join(tmp, 'w-out.bin');
    const r1 = warden(['decrypt', `${f}.wenc`, '--kek', wrong, '-o', out]);
    expect(r1.code).toBe(2);
    expect(r1.err).toContain('KEK_MISMATCH');
    const enc = readFileSync(`${f}.wenc`);
    enc[enc.length - 5000] = (enc[enc.length - 5000] ?? 0) ^ 0x80;
    writeFileSync(`${f}.wenc`, enc);
    const r2 = warden(['decrypt', `${f}.wenc`, '--kek', kek, '-o', out]);
    expect(r2.code).toBe(2);
    expect(r2.err).toContain('DECRYPT_FAILED');
    expect(readdirSync(tmp).filter((n) => n.includes('w-out'))).toEqual([]);
  });

  it('rejects bad flags as usage errors', () => {
    expect(warden(['encrypt', join(tmp, 'nope'), '--kek', 'env:UNSET_WARDEN_KEK']).err).toContain(
      'KEK_INVALID',
    );
    expect(warden(['encrypt', join(tmp, 'x'), '--kek', 'k', '--chunk-size', 'big']).code).toBe(2);
    expect(warden(['decrypt', join(tmp, 'x')]).code).toBe(2);
  });

  it('sign, encrypt, decrypt, verify: the signature covers the plaintext', () => {
    const dir = join(tmp, 'signed');
    mkdirSync(join(dir, 'tok'), { recursive: true });
    writeFileSync(join(dir, 'model.safetensors'), randomBytes(50_000));
    writeFileSync(join(dir, 'tok', 'vocab.txt'), 'a\nb\n');
    const key = join(tmp, 'sign.pem');
    expect(warden(['keygen', '--out', key]).code).toBe(0);
    expect(warden(['sign', dir, '--key', key]).code).toBe(0);
    const kek = join(tmp, 'k3.hex');
    expect(warden(['encrypt', dir, '--kek', kek, '--create-kek']).code).toBe(0);
    expect(readdirSync(`${dir}.wenc`).sort()).toEqual(['model.safetensors.wenc', 'model.sig.wenc', 'tok']);
    rmSync(dir, { recursive: true });
    expect(warden(['decrypt', `${dir}.wenc`, '--kek', kek]).code).toBe(0);
    expect(warden(['verify', dir, '--public-key', join(tmp, 'sign.pub')]).code).toBe(0);
  });
});
