import { cpSync, mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair, scanPaths, signModel } from '../artifacts/index.js';
import { fairnessMetrics, fairnessReport } from '../monitor/index.js';
import { Registry, registerModel } from '../registry/index.js';
import { CHECKS } from './checks/index.js';
import { runPosture } from './run.js';
import type { PostureReport } from './report.js';

const FIXTURES = new URL('../../test/fixtures/posture/', import.meta.url).pathname;
const tmp = mkdtempSync(join(tmpdir(), 'warden-posture-'));
let good: string;
let keyFile: string;

beforeAll(async () => {
  // the good project's model is signed here, with a fresh key and a provenance record
  good = join(tmp, 'good');
  cpSync(join(FIXTURES, 'good'), good, { recursive: true });
  const { privatePem, publicPem } = generateKeyPair('p256');
  keyFile = join(tmp, 'signing.pem.pub');
  writeFileSync(keyFile, publicPem);
  const digest = createHash('sha256').update('checkpoint bytes').digest('hex');
  await signModel(join(good, 'models'), {
    privateKey: privatePem,
    provenance: { source: { name: 'classifier.pt', digest: { sha256: digest } } },
  });
});

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const byId = (r: PostureReport) => Object.fromEntries(r.posture.checks.map((c) => [c.id, c]));

describe('checklist contract', () => {
  it('has the 20 items, unique ids, each mapped and with a severity', () => {
    expect(CHECKS).toHaveLength(20);
    expect(new Set(CHECKS.map((c) => c.id)).size).toBe(20);
    for (const c of CHECKS) expect(c.title.length).toBeGreaterThan(5);
  });
});

describe('runPosture', () => {
  it('passes every item of a well-kept project', async () => {
    const r = await runPosture({ path: good, publicKeys: [keyFile] });
    const failed = r.posture.checks.filter((c) => c.status !== 'pass');
    expect(failed.map((c) => `${c.id}: ${c.evidence.join('; ')}`)).toEqual([]);
    expect(r.verdict).toBe('pass');
    expect(r.metrics).toMatchObject({ checks: 20, pass: 20, fail: 0, unknown: 0, score: 1 });
    const c = byId(r);
    expect(c['artifact-signing']?.evidence[0]).toMatch(/models\/model\.sig: verified, public key sha256:/);
    expect(c.provenance?.evidence.join(' ')).toContain('classifier.pt');
    for (const check of r.posture.checks) expect(check.evidence.length, check.id).toBeGreaterThan(0);
  });

  it('fails every item of a careless project, with located findings and no secret values', async () => {
    const r = await runPosture({ path: join(FIXTURES, 'bad') });
    expect(r.posture.checks.every((c) => c.status === 'fail')).toBe(true);
    expect(r.verdict).toBe('fail');
    const at = (check: string) => r.findings.filter((f) => f.detector === `posture.${check}`);
    expect(at('secrets').map((f) => `${f.id}@${f.location?.line}`)).toEqual(
      expect.arrayContaining(['posture.secrets.aws_access_key@2', 'posture.secrets.aws_secret_key@3']),
    );
    expect(at('dependency-pinning').map((f) => f.title)).toEqual([
      'unpinned dependency torch',
      'unpinned dependency numpy',
      'unpinned dependency featurelib', // a VCS branch is not a pin
    ]);
    expect(
      at('dependency-sources')
        .map((f) => f.id)
        .sort(),
    ).toEqual([
      'posture.dependency-sources.extra-index',
      'posture.dependency-sources.trusted-host',
      'posture.dependency-sources.vcs',
    ]);
    expect(
      r.findings.some(
        (f) => f.detector.startsWith('pickle') || f.id.includes('os.system') || /system/.test(f.title),
      ),
    ).toBe(true);
    expect(at('training-data-pii').map((f) => f.title)).toEqual(
      expect.arrayContaining(['EMAIL_ADDRESS in training data']),
    );
    const c = byId(r);
    expect(c['tls-1.3']?.evidence[0]).toContain('TLSv1.2');
    expect(c['differential-privacy']?.evidence[0]).toContain('personal data');
    const json = JSON.stringify(r);
    expect(json).not.toContain('AKIAIOSFODNN7EXAMPLE');
    expect(json).not.toContain('wJalrXUtnFEMI');
    expect(json).not.toContain('maria.lopez@example.com');
  });

  it('answers unknown, with the command that would settle it, where nothing decides an item', async () => {
    const r = await runPosture({ path: join(FIXTURES, 'empty') });
    const c = byId(r);
    for (const id of [
      'rbac',
      'input-validation',
      'rate-limiting',
      'tls-1.3',
      'mutual-tls',
      'audit-logging',
    ]) {
      expect(c[id]?.status, id).toBe('unknown');
      expect(c[id]?.command).toContain('--gateway-config');
    }
    expect(c['dependency-pinning']?.status).toBe('unknown');
    expect(c['training-data-pii']?.status).toBe('unknown');
    expect(c['differential-privacy']?.status).toBe('unknown');
    expect(c['pickle-risk']?.status).toBe('pass'); // no model artifacts at all
    expect(c['adversarial-robustness']).toMatchObject({ status: 'fail' });
    expect(c['adversarial-robustness']?.command).toContain('warden attack');
  });

  it('reads evidence from a store folder, and a gateway config given on the side', async () => {
    const store = join(tmp, 'store');
    const bare = join(tmp, 'bare');
    mkdirSync(store);
    mkdirSync(bare);
    cpSync(join(FIXTURES, 'good', 'reports'), store, { recursive: true });
    const r = await runPosture({ path: bare, store, gatewayConfig: join(FIXTURES, 'good', 'gateway.yaml') });
    const c = byId(r);
    expect(c['adversarial-robustness']?.evidence[0]).toMatch(/^store:robustness\.json/);
    expect(c.fairness?.status).toBe('pass');
    expect(c['mutual-tls']?.status).toBe('pass');
    const viaUrl = await runPosture({ path: bare, store: `file://${store}` });
    expect(byId(viaUrl)['poisoning-detection']?.status).toBe('pass');
  });

  it('reads the evidence of every version in a registry store', async () => {
    const model = join(tmp, 'registered');
    mkdirSync(model);
    cpSync(new URL('../../examples/mnist-mlp.onnx', import.meta.url).pathname, join(model, 'mnist.onnx'));
    const key = generateKeyPair('p256');
    await signModel(model, { privateKey: key.privatePem });
    const db = `sqlite:${join(tmp, 'registry.db')}`;
    const reg = await Registry.open(db);
    // registration verifies the signature and stores the verify report as evidence
    await registerModel(reg, model, { name: 'mnist', publicKey: key.publicPem, actor: 'dana' });
    await reg.addEvidence('mnist@1', await scanPaths([model]), 'dana');
    const groups = Array.from({ length: 200 }, (_, i) => (i % 2 ? 'a' : 'b'));
    const yTrue = Uint8Array.from(groups, (_, i) => (i % 3 === 0 ? 1 : 0));
    const yPred = Uint8Array.from(groups, (g, i) => (g === 'a' || i % 5 === 0 ? 1 : 0));
    const fair = fairnessMetrics({ yTrue, yPred, groups }, { bootstrap: 0 });
    await reg.addEvidence(
      'mnist@1',
      fairnessReport(fair, { name: 'mnist' }, new Date().toISOString()),
      'dana',
    );
    await reg.close();
    const bare = join(tmp, 'bare-registry');
    mkdirSync(bare);
    const c = byId(await runPosture({ path: bare, store: db }));
    expect(c.provenance?.status).toBe('pass');
    expect(c.provenance?.evidence.join(' ')).toMatch(/store:mnist@1#\d+: Warden verify report/);
    expect(c.fairness?.status).toBe('pass');
    expect(c.fairness?.evidence.join(' ')).toContain('store:mnist@1#');
    expect(c['adversarial-robustness']?.status).toBe('fail');
  });

  it('refuses bad paths, stores, configs and keys with typed errors', async () => {
    const code = async (p: Promise<unknown>) =>
      p.then(
        () => 'ok',
        (e: { code?: string }) => e.code,
      );
    expect(await code(runPosture({ path: join(tmp, 'missing') }))).toBe('POSTURE_PATH_INVALID');
    expect(await code(runPosture({ path: join(FIXTURES, 'bad', 'README.md') }))).toBe('POSTURE_PATH_INVALID');
    expect(await code(runPosture({ path: good, store: 'postgres://127.0.0.1:1/none' }))).toBe(
      'POSTURE_STORE_INVALID',
    );
    expect(await code(runPosture({ path: good, store: join(tmp, 'nope') }))).toBe('POSTURE_STORE_INVALID');
    const badYaml = join(tmp, 'bad.yaml');
    writeFileSync(badYaml, 'tls: [unclosed');
    expect(await code(runPosture({ path: good, gatewayConfig: badYaml }))).toBe(
      'POSTURE_GATEWAY_CONFIG_INVALID',
    );
    expect(await code(runPosture({ path: good, publicKeys: [badYaml] }))).toBe('POSTURE_KEY_INVALID');
  });

  it('fails signature verification with the wrong key, and a tampered model', async () => {
    const other = join(tmp, 'other.pub');
    writeFileSync(other, generateKeyPair('p256').publicPem);
    const wrongKey = await runPosture({ path: good, publicKeys: [other] });
    expect(byId(wrongKey)['artifact-signing']?.status).toBe('fail');
    const tampered = join(tmp, 'tampered');
    cpSync(good, tampered, { recursive: true });
    writeFileSync(join(tampered, 'models', 'classifier.safetensors'), 'not the signed bytes');
    const r = await runPosture({ path: tampered, publicKeys: [keyFile] });
    expect(byId(r)['artifact-signing']?.evidence[0]).toMatch(/verification failed/);
  });
});
