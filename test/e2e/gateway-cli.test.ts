import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/core/store/index.js';
import { CLI, EXAMPLE_MODEL, serveCli } from './gateway-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'warden-gw-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const warden = (...args: string[]) => spawnSync('node', [CLI, ...args], { encoding: 'utf8' });

const serve = serveCli;

describe('warden keys and audit', () => {
  const store = `sqlite:${join(dir, 'cli.db')}`;
  it('creates (printing the key once), lists and revokes keys, all audited', () => {
    const created = warden(
      'keys',
      'create',
      '--principal',
      'dana',
      '--role',
      'auditor',
      '--store',
      store,
      '--json',
    );
    expect(created.status).toBe(0);
    const k = JSON.parse(created.stdout) as { key: string; id: string; role: string };
    expect(k.key).toMatch(/^wdn_[\w-]{43}$/);
    const list = warden('keys', 'list', '--store', store, '--json');
    expect(list.stdout).not.toContain(k.key);
    expect(JSON.parse(list.stdout)).toMatchObject([
      { id: k.id, principal: 'dana', role: 'auditor', revokedAt: null },
    ]);
    expect(warden('keys', 'revoke', k.id, '--store', store).status).toBe(0);
    const again = warden('keys', 'revoke', k.id, '--store', store);
    expect(again.status).toBe(2);
    expect(again.stderr).toContain('GATEWAY_KEY_NOT_FOUND');
    const bad = warden('keys', 'create', '--principal', 'x', '--role', 'root', '--store', store);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('unknown role');
    const exported = warden('audit', 'export', '--store', store).stdout.trim().split('\n');
    expect(exported.map((l) => (JSON.parse(l) as { action: string }).action)).toEqual([
      'keys.create',
      'keys.revoke',
    ]);
  });

  it('audit verify exits 1 and names the first bad record after tampering', async () => {
    expect(warden('audit', 'verify', '--store', store).status).toBe(0);
    const s = await openStore(store);
    await s.run("UPDATE gateway_audit SET actor = 'someone' WHERE seq = 2");
    await s.close();
    const v = warden('audit', 'verify', '--store', store);
    expect(v.status).toBe(1);
    expect(v.stdout).toContain('BROKEN at seq 2');
    expect(warden('audit', 'verify', '--store', 'mysql://x').status).toBe(2);
  });
});

describe('warden serve', () => {
  it('loads a signed model with --require-signature and refuses a tampered one', async () => {
    const model = join(dir, 'signed');
    mkdirSync(model);
    copyFileSync(EXAMPLE_MODEL, join(model, 'mnist.onnx'));
    expect(warden('keygen', '--out', join(dir, 'signer.pem')).status).toBe(0);
    expect(warden('sign', join(model, 'mnist.onnx'), '--key', join(dir, 'signer.pem')).status).toBe(0);
    const flags = [
      '--require-signature',
      '--public-key',
      join(dir, 'signer.pub'),
      '--store',
      `sqlite:${join(dir, 's.db')}`,
    ];
    const ok = await serve('--model', `mnist=${join(model, 'mnist.onnx')}`, ...flags);
    expect(ok.url).toMatch(/^http:/);
    await ok.stop();
    const bytes = readFileSync(join(model, 'mnist.onnx'));
    bytes[bytes.length - 5] = bytes[bytes.length - 5]! ^ 0xff;
    writeFileSync(join(model, 'mnist.onnx'), bytes);
    const refused = await serve('--model', `mnist=${join(model, 'mnist.onnx')}`, ...flags);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('GATEWAY_SIGNATURE_INVALID');
  });

  it('serves a model encrypted at rest (decrypted in memory) whose plaintext signature verifies', async () => {
    const model = join(dir, 'sealed');
    mkdirSync(model);
    copyFileSync(EXAMPLE_MODEL, join(model, 'mnist.onnx'));
    expect(warden('keygen', '--out', join(dir, 'sealer.pem')).status).toBe(0);
    expect(warden('sign', join(model, 'mnist.onnx'), '--key', join(dir, 'sealer.pem')).status).toBe(0);
    const kek = join(dir, 'kek.hex');
    expect(warden('encrypt', join(model, 'mnist.onnx'), '--kek', kek, '--create-kek').status).toBe(0);
    rmSync(join(model, 'mnist.onnx'));
    const store = `sqlite:${join(dir, 'sealed.db')}`;
    const flags = ['--require-signature', '--public-key', join(dir, 'sealer.pub'), '--store', store];
    const sealed = `mnist=${join(model, 'mnist.onnx.wenc')}`;
    const ok = await serve('--model', sealed, '--kek', kek, ...flags);
    expect(ok.url, ok.stderr).toMatch(/^http:/);
    const key = JSON.parse(
      warden('keys', 'create', '--principal', 'ops', '--role', 'admin', '--store', store, '--json').stdout,
    ) as { key: string };
    const meta = await fetch(`${ok.url}/v2/models/mnist`, {
      headers: { authorization: `Bearer ${key.key}` },
    });
    expect(meta.status).toBe(200);
    expect(((await meta.json()) as { inputs: unknown[] }).inputs.length).toBeGreaterThan(0);
    await ok.stop();
    // no key, a wrong key, a tampered ciphertext: refused before anything is served
    const noKey = await serve('--model', sealed, ...flags);
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toContain('key-encryption key');
    writeFileSync(join(dir, 'wrong.hex'), 'ab'.repeat(32));
    const wrong = await serve('--model', sealed, '--kek', join(dir, 'wrong.hex'), ...flags);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('GATEWAY_MODEL_INVALID');
    const bytes = readFileSync(join(model, 'mnist.onnx.wenc'));
    bytes[bytes.length - 40] = bytes[bytes.length - 40]! ^ 0x01;
    writeFileSync(join(model, 'mnist.onnx.wenc'), bytes);
    const tampered = await serve('--model', sealed, '--kek', kek, ...flags);
    expect(tampered.code).toBe(2);
    expect(tampered.stderr).toContain('cannot decrypt');
  });

  it('refuses bad flags and configs with exit 2 and a clear message', async () => {
    const noModel = await serve('--store', `sqlite:${join(dir, 'n.db')}`);
    expect(noModel.code).toBe(2);
    expect(noModel.stderr).toContain('nothing to serve');
    writeFileSync(join(dir, 'bad.yaml'), 'limits:\n  maxBodyBytes: -1\nbogus: 1\n');
    const badConfig = await serve('--config', join(dir, 'bad.yaml'), '--model', `m=${EXAMPLE_MODEL}`);
    expect(badConfig.code).toBe(2);
    expect(badConfig.stderr).toContain('GATEWAY_CONFIG_INVALID');
    const badModel = await serve(
      '--model',
      `m=${join(dir, 'bad.yaml')}`,
      '--store',
      `sqlite:${join(dir, 'm.db')}`,
    );
    expect(badModel.code).toBe(2);
    expect(badModel.stderr).toContain('GATEWAY_MODEL_INVALID');
  });
});

describe('warden extraction calibrate', () => {
  it('calibrates the PRADA threshold on simulated benign clients and checks it on held-out ones and a thief', () => {
    const r = warden(
      'extraction',
      'calibrate',
      '--model',
      EXAMPLE_MODEL,
      '--data',
      'mnist',
      '--clients',
      '3',
      '--queries',
      '800',
      '--json',
    );
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as {
      threshold: number;
      minBenignW: number;
      heldOutAlarms: number;
      attackFlaggedAt: number | null;
    };
    expect(out.threshold).toBeLessThan(out.minBenignW);
    expect(out.heldOutAlarms).toBe(0);
    expect(out.attackFlaggedAt).toBeGreaterThan(0);
    const missing = warden('extraction', 'calibrate', '--model', join(dir, 'none.onnx'), '--data', 'mnist');
    expect(missing.status).toBe(2);
    const badFlag = warden(
      'extraction',
      'calibrate',
      '--model',
      EXAMPLE_MODEL,
      '--data',
      'mnist',
      '--clients',
      '0',
    );
    expect(badFlag.status).toBe(2);
  });
});
