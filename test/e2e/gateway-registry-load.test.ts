import { appendFileSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signModel } from '../../src/artifacts/index.js';
import { openStore } from '../../src/core/store/index.js';
import { ApiKeys, auditRecords, openGatewayStore, type AuditRecord } from '../../src/gateway/index.js';
import { Registry, registerModel } from '../../src/registry/index.js';
import { keyPair, report } from '../../src/registry/testing.js';
import { EXAMPLE_MODEL, call, digit, serveCli } from './gateway-helpers.js';

// `warden serve --model NAME@ALIAS`: the gateway admits a registry version only when its gate passes and its
// files still match the registered digests; otherwise it exits 2 and the refusal is in the audit chain.
const dir = mkdtempSync(join(tmpdir(), 'warden-gw-regload-'));
const store = `sqlite:${join(dir, 'w.db')}`;
const signer = keyPair();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function signedCopy(sub: string): Promise<string> {
  mkdirSync(join(dir, sub));
  const path = join(dir, sub, 'mnist.onnx');
  copyFileSync(EXAMPLE_MODEL, path);
  await signModel(path, { privateKey: signer.privatePem });
  return path;
}

async function withStore<T>(fn: (reg: Registry, keys: ApiKeys) => Promise<T>): Promise<T> {
  const s = await openGatewayStore(store);
  try {
    return await fn(await Registry.on(s), new ApiKeys(s, 0));
  } finally {
    await s.close();
  }
}

async function audit(): Promise<AuditRecord[]> {
  const s = await openStore(store);
  const out: AuditRecord[] = [];
  try {
    for await (const r of auditRecords(s)) out.push(r);
  } finally {
    await s.close();
  }
  return out;
}

let key = '';
beforeAll(async () => {
  const prod = await signedCopy('prod');
  const stage = await signedCopy('stage');
  // a different artifact, signed as such: an unknown protobuf field (number 99, varint 1) the parser skips
  appendFileSync(stage, Buffer.from([0x98, 0x06, 0x01]));
  await signModel(stage, { privateKey: signer.privatePem });
  await withStore(async (reg, keys) => {
    key = (await keys.create('sam', 'data_scientist')).key;
    await reg.setPolicy(
      {
        version: 1,
        trustedKeys: [signer.publicPem],
        gates: {
          production: ['signature trusted', 'approvals >= 1 by auditor'],
          staging: ['signature trusted'],
        },
      },
      'ada',
    );
    const opts = { name: 'mnist', actor: 'sam', publicKey: signer.publicPem };
    await registerModel(reg, prod, opts);
    await reg.approve('mnist@1', { principal: 'aud', role: 'auditor' });
    expect((await reg.promote('mnist@1', 'production', 'eve')).promoted).toBe(true);
    await registerModel(reg, stage, opts);
    expect((await reg.promote('mnist@2', 'staging', 'eve')).promoted).toBe(true);
  });
});

describe('warden serve --model NAME@ALIAS', () => {
  it('serves a version whose gate passes and whose digests and signature verify', async () => {
    const gw = await serveCli('--model', 'mnist@production', '--store', store);
    try {
      expect(gw.url, gw.stderr).toBeDefined();
      const r = await call(`${gw.url}/v2/models/mnist/infer`, { key, body: digit(0) });
      expect(r.status).toBe(200);
      expect(r.body.model_version).toBe('1');
    } finally {
      await gw.stop();
    }
    const load = (await audit()).find((r) => r.action === 'model.load');
    const detail = JSON.parse(load!.detail) as Record<string, unknown>;
    expect(detail).toMatchObject({ registry: 'mnist@production', version: 'mnist@1', gate: 'production' });
    expect(detail.signer).toContain('public key');
  });

  it('refuses (exit 2, audited) when the gate no longer passes', async () => {
    // new evidence expires the auditor's approval: the production gate fails today
    await withStore((reg) => reg.addEvidence('mnist@1', report('dp', { epsilon: 3 }), 'sam'));
    const gw = await serveCli('--model', 'mnist@production', '--store', store);
    await gw.stop();
    expect(gw.url).toBeUndefined();
    expect(gw.code).toBe(2);
    expect(gw.stderr).toContain('GATEWAY_GATE_FAILED');
    expect(gw.stderr).toContain('approvals >= 1 by auditor');
    const refused = (await audit()).filter((r) => r.action === 'model.refused');
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatchObject({ resource: 'mnist', decision: 'deny' });
    expect(JSON.parse(refused[0]!.detail)).toMatchObject({
      code: 'GATEWAY_GATE_FAILED',
      version: 'mnist@1',
      unmet: [expect.stringContaining('approvals')],
    });
  });

  it('refuses (exit 2, audited) a version whose file changed after registration', async () => {
    const before = await serveCli('--model', 'mnist@staging', '--store', store);
    expect(before.url, before.stderr).toBeDefined();
    await before.stop();
    appendFileSync(join(dir, 'stage', 'mnist.onnx'), Buffer.from([1]));
    const gw = await serveCli('--model', 'mnist@staging', '--store', store);
    await gw.stop();
    expect(gw.code).toBe(2);
    expect(gw.stderr).toContain('GATEWAY_DIGEST_MISMATCH');
    const refused = (await audit()).filter((r) => r.action === 'model.refused');
    expect(JSON.parse(refused.at(-1)!.detail)).toMatchObject({
      code: 'GATEWAY_DIGEST_MISMATCH',
      version: 'mnist@2',
      mismatches: [{ name: 'mnist.onnx' }],
    });
  });

  it('refuses (exit 2, audited) a version whose stored signature does not verify with the given key', async () => {
    // mnist@1 by number, held to the staging gate (signature trusted by the policy): the gate passes and the
    // files match, but the gateway's own --public-key is another key
    const other = keyPair();
    writeFileSync(join(dir, 'other.pub'), other.publicPem);
    writeFileSync(join(dir, 'gw.yaml'), 'models:\n  mnist: { registry: "mnist@1", gate: staging }\n');
    const args = ['--config', join(dir, 'gw.yaml'), '--store', store];
    const refused = await serveCli(...args, '--public-key', join(dir, 'other.pub'));
    await refused.stop();
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('GATEWAY_SIGNATURE_INVALID');
    const last = (await audit()).filter((r) => r.action === 'model.refused').at(-1)!;
    expect(JSON.parse(last.detail)).toMatchObject({ code: 'GATEWAY_SIGNATURE_INVALID', version: 'mnist@1' });
    writeFileSync(join(dir, 'signer.pub'), signer.publicPem);
    const served = await serveCli(...args, '--public-key', join(dir, 'signer.pub'), '--require-signature');
    await served.stop();
    expect(served.url, served.stderr).toBeDefined();
  });

  it('refuses an unknown alias or model with exit 2', async () => {
    const gw = await serveCli('--model', 'mnist@canary', '--store', store);
    await gw.stop();
    expect(gw.code).toBe(2);
    expect(gw.stderr).toContain('REGISTRY_NOT_FOUND');
  });
});
