import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isWardenError } from '../core/index.js';
import { pgTestUrl } from '../core/store/testing.js';
import {
  Registry,
  describeDataset,
  parsePromotionPolicy,
  registerModel,
  verifyArtifacts,
  type PromoteResult,
} from './index.js';
import { finding, keyPair, makeModel, report, signedModel } from './testing.js';

const dir = mkdtempSync(join(tmpdir(), 'warden-registry-'));
const pg = pgTestUrl('registry_contract');
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await pg.drop();
});

const codeOf = async (p: Promise<unknown>): Promise<string | undefined> => {
  try {
    await p;
  } catch (e) {
    return isWardenError(e) ? e.code : `untyped: ${String(e)}`;
  }
  return undefined;
};
const sha = (b: Buffer | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const unmet = (r: PromoteResult) => (r.promoted ? [] : r.gate.unmet.map((c) => c.clause));

const attack = (robust: number, eps = 0.1) => ({
  attack: 'pgd',
  eps,
  norm: 'inf',
  examples: 200,
  cleanAccuracy: 0.97,
  robustAccuracy: robust,
  robustAccuracyOfCorrect: robust / 0.97,
  attackSuccessRate: 1 - robust / 0.97,
  maxPerturbation: eps,
  meanPerturbation: eps * 0.9,
  seconds: 1.5,
});

// The same contract on both stores: what the CLI, the HTTP API and the gateway rely on.
describe.each([
  ['sqlite', () => `sqlite:${join(dir, 'contract.db')}`],
  ['postgres', () => pg.url],
])('registry contract (%s)', (name, url) => {
  let reg: Registry;
  const trusted = keyPair();
  const other = keyPair();
  const work = join(dir, name);
  beforeAll(async () => {
    reg = await Registry.open(url());
  });
  afterAll(async () => {
    await reg.close();
  });

  it('registers a signed model: file digests, formats, signer, verify evidence', async () => {
    const path = await signedModel(work, 'fraud-v1', 1, trusted);
    const r = await registerModel(reg, path, {
      name: 'fraud',
      actor: 'dana',
      publicKey: trusted.publicPem,
      scan: true,
    });
    expect(r.version.ref).toBe('fraud@1');
    expect(r.version.signer).toMatch(/^public key sha256:[0-9a-f]{64}$/);
    expect(r.verify?.verdict).toBe('pass');
    expect(r.scan?.verdict).toBe('pass');
    expect(r.version.evidenceCount).toBe(2);
    const v = await reg.version('fraud@1');
    const weights = readFileSync(join(path, 'model.safetensors'));
    const config = readFileSync(join(path, 'config.json'));
    expect(v.files).toEqual([
      { name: 'config.json', digest: sha(config), size: config.length, format: 'json' },
      { name: 'model.safetensors', digest: sha(weights), size: weights.length, format: 'safetensors' },
    ]);
    expect(v.format).toBe('safetensors');
    // the root digest is the one `warden digest` prints: sha256 over the sorted raw file digests
    const root = createHash('sha256');
    for (const f of v.files) root.update(Buffer.from(f.digest.slice(7), 'hex'));
    expect(v.digest).toBe(`sha256:${root.digest('hex')}`);
    expect((await verifyArtifacts(reg, 'fraud@1')).ok).toBe(true);
  });

  it('refuses a tampered or unverifiable signature, and a duplicate artifact', async () => {
    const path = await signedModel(work, 'tampered', 2, trusted);
    writeFileSync(join(path, 'config.json'), '{"changed":true}');
    expect(
      await codeOf(registerModel(reg, path, { name: 'fraud', actor: 'dana', publicKey: trusted.publicPem })),
    ).toBe('REGISTRY_SIGNATURE_INVALID');
    const path2 = await signedModel(work, 'otherkey', 3, other);
    expect(
      await codeOf(registerModel(reg, path2, { name: 'fraud', actor: 'dana', publicKey: trusted.publicPem })),
    ).toBe('REGISTRY_SIGNATURE_INVALID');
    expect(await codeOf(registerModel(reg, path2, { name: 'fraud', actor: 'dana' }))).toBe(
      'REGISTRY_SIGNATURE_INVALID',
    );
    const dup = join(work, 'fraud-v1');
    expect(
      await codeOf(registerModel(reg, dup, { name: 'fraud', actor: 'dana', publicKey: trusted.publicPem })),
    ).toBe('REGISTRY_DUPLICATE');
    // nothing half-registered: still one version
    expect((await reg.listVersions('fraud')).map((v) => v.ref)).toEqual(['fraud@1']);
  });

  it('records data sets with schema and PII, and lineage up and down', async () => {
    const csv = join(work, 'tx.csv');
    writeFileSync(csv, 'id,amount,email\n1,12.5,ann@example.com\n2,7,\n3,1e3,bob@example.org\n');
    const d = await describeDataset(csv, { name: 'transactions', pii: true });
    expect(d.dataset.schema).toEqual({
      columns: [
        { name: 'id', types: ['integer'] },
        { name: 'amount', types: ['integer', 'number'] },
        { name: 'email', types: ['null', 'string'] },
      ],
      sampledRows: 3,
    });
    expect(d.pii?.metrics['pii.EMAIL_ADDRESS']).toBe(2);
    const first = await reg.registerDataset(d.dataset, 'dana');
    expect(first.created).toBe(true);
    expect((await reg.registerDataset(d.dataset, 'dana')).created).toBe(false);
    const v2 = await registerModel(reg, await signedModel(work, 'fraud-v2', 4, trusted), {
      name: 'fraud',
      actor: 'erin',
      publicKey: trusted.publicPem,
      parents: [{ ref: 'fraud@1', relation: 'fine_tuned_from' }],
      datasets: [{ ref: 'transactions', relation: 'trained_on' }],
    });
    expect(v2.version.ref).toBe('fraud@2');
    const up = await reg.lineage('fraud@2', { direction: 'up' });
    expect(up.edges).toEqual([
      { from: 'version:fraud@2', relation: 'fine_tuned_from', to: 'version:fraud@1' },
      { from: 'version:fraud@2', relation: 'trained_on', to: `dataset:transactions@${d.dataset.digest}` },
    ]);
    const down = await reg.lineage('dataset:transactions', { direction: 'down' });
    expect(down.edges.map((e) => e.from)).toEqual(['version:fraud@2']);
    expect(await codeOf(reg.link('fraud@1', 'fine_tuned_from', 'fraud@2', 'dana'))).toBe(
      'REGISTRY_REF_INVALID',
    );
    expect((await reg.link('fraud@1', 'evaluated_on', 'transactions', 'dana')).created).toBe(true);
    expect((await reg.link('fraud@1', 'evaluated_on', 'transactions', 'dana')).created).toBe(false);
  });

  it('links a converted model to its registered source through signed provenance', async () => {
    const src = makeModel(work, 'source', 5);
    const s = await registerModel(reg, src, { name: 'fraud-src', actor: 'dana' });
    const path = await signedModel(work, 'converted', 6, trusted, {
      source: { digest: { sha256: s.version.digest.slice(7) } },
    });
    const c = await registerModel(reg, path, {
      name: 'fraud-st',
      actor: 'dana',
      publicKey: trusted.publicPem,
    });
    const g = await reg.lineage(c.version.ref);
    expect(g.edges).toEqual([
      { from: 'version:fraud-st@1', relation: 'converted_from', to: 'version:fraud-src@1' },
    ]);
  });

  it('stores evidence once, checks its subject, and reads adapters', async () => {
    const a = await reg.addEvidence('fraud@1', attack(0.74), 'dana');
    expect(a.created).toBe(true);
    expect(a.evidence).toMatchObject({
      kind: 'attack',
      metrics: { eps: 0.1, robustAccuracy: 0.74 },
      labels: { attack: 'pgd' },
    });
    // the same report in another key order is the same evidence
    const shuffled = Object.fromEntries(Object.entries(attack(0.74)).reverse());
    const again = await reg.addEvidence('fraud@1', shuffled, 'dana');
    expect(again).toMatchObject({ created: false, evidence: { id: a.evidence.id } });
    const wrong = { ...report('verify', {}), subject: { name: 'x', digest: `sha256:${'ab'.repeat(32)}` } };
    expect(await codeOf(reg.addEvidence('fraud@1', wrong, 'dana'))).toBe('REGISTRY_EVIDENCE_INVALID');
    const v = await reg.version('fraud@1');
    const aboutFile = { ...report('scan', {}), subject: { name: 'w', digest: v.files[1]!.digest } };
    expect((await reg.addEvidence('fraud@1', aboutFile, 'dana')).created).toBe(true);
    expect(await codeOf(reg.addEvidence('fraud@1', { kind: 'scan' }, 'dana'))).toBe(
      'REGISTRY_EVIDENCE_INVALID',
    );
    expect(await reg.evidenceReport('fraud@1', a.evidence.id)).toMatchObject({
      kind: 'attack',
      metrics: { eps: 0.1 },
    });
  });

  it('refuses promotion with the exact unmet clauses until evidence and approvals satisfy the gate', async () => {
    const policy = parsePromotionPolicy({
      version: 1,
      trustedKeys: [trusted.publicPem],
      open: ['staging'],
      gates: {
        production: [
          'scan.findings.high == 0',
          'signature trusted',
          'attack[eps=0.1].robustAccuracy >= 0.7',
          'dp.epsilon <= 8',
          'fairness.demographic_parity_difference <= 0.1',
          'approvals >= 2 by ml_engineer, auditor',
        ],
      },
    });
    expect(unmet(await reg.promote('fraud@2', 'production', 'erin'))).toEqual(['policy']);
    expect((await reg.setPolicy(policy, 'admin')).changed).toBe(true);
    expect((await reg.setPolicy(policy, 'admin')).changed).toBe(false);
    expect(unmet(await reg.promote('fraud@2', 'production', 'erin'))).toEqual([
      'scan.findings.high == 0',
      'attack[eps=0.1].robustAccuracy >= 0.7',
      'dp.epsilon <= 8',
      'fairness.demographic_parity_difference <= 0.1',
      'approvals >= 2 by ml_engineer, auditor',
    ]);
    expect(unmet(await reg.promote('fraud@2', 'canary', 'erin'))).toEqual(['policy']);
    expect((await reg.promote('fraud@2', 'staging', 'erin')).promoted).toBe(true);

    await reg.addEvidence('fraud@2', report('scan', { files: 2 }, [finding('low')]), 'erin');
    await reg.addEvidence('fraud@2', attack(0.52), 'erin');
    await reg.addEvidence('fraud@2', attack(0.9, 0.3), 'erin');
    await reg.addEvidence(
      'fraud@2',
      { accountant: 'rdp', steps: 2250, epsilon: 7.33, bestOrder: 3.9 },
      'erin',
    );
    await reg.addEvidence('fraud@2', report('fairness', { demographic_parity_difference: 0.04 }), 'erin');
    const refused = await reg.promote('fraud@2', 'production', 'erin');
    expect(unmet(refused)).toEqual([
      'attack[eps=0.1].robustAccuracy >= 0.7',
      'approvals >= 2 by ml_engineer, auditor',
    ]);
    expect(refused.gate.unmet[0]!.detail).toMatch(/^robustAccuracy = 0\.52 \(evidence #\d+\)$/);

    // newer evidence of the same kind and eps decides
    await reg.addEvidence('fraud@2', attack(0.71), 'erin');
    expect(await codeOf(reg.approve('fraud@2', { principal: 'erin', role: 'ml_engineer' }))).toBe(
      'REGISTRY_SELF_APPROVAL',
    );
    expect((await reg.approve('fraud@2', { principal: 'alice', role: 'ml_engineer' })).created).toBe(true);
    expect((await reg.approve('fraud@2', { principal: 'alice', role: 'ml_engineer' })).created).toBe(false);
    expect(unmet(await reg.promote('fraud@2', 'production', 'erin'))).toEqual([
      'approvals >= 2 by ml_engineer, auditor',
    ]);
    await reg.approve('fraud@2', { principal: 'bob', role: 'auditor', comment: 'reviewed' });

    // evidence that arrives after the approvals expires them
    await reg.addEvidence('fraud@2', report('drift', { psi: 0.01 }), 'erin');
    const expired = await reg.promote('fraud@2', 'production', 'erin');
    expect(unmet(expired)).toEqual(['approvals >= 2 by ml_engineer, auditor']);
    expect(expired.gate.unmet[0]!.detail).toContain('2 approval(s) saw older evidence and expired');
    await reg.approve('fraud@2', { principal: 'alice', role: 'ml_engineer' });
    await reg.approve('fraud@2', { principal: 'bob', role: 'auditor' });
    const ok = await reg.promote('fraud@2', 'production', 'erin');
    expect(ok).toMatchObject({ promoted: true, previous: null, changed: true });
    expect(ok.gate.clauses.every((c) => c.passed)).toBe(true);
    expect((await reg.resolveAlias('fraud@production')).version.ref).toBe('fraud@2');
    expect(await reg.listModels()).toContainEqual(
      expect.objectContaining({
        name: 'fraud',
        versions: 2,
        latest: 2,
        aliases: { production: 2, staging: 2 },
      }),
    );
  });

  it('a gate that fails later stops the gateway from resolving the alias', async () => {
    await reg.addEvidence('fraud@2', report('scan', { files: 2 }, [finding('critical')]), 'mallory');
    const g = await reg.checkGate('fraud@production', 'production');
    expect(g.unmet.map((c) => c.clause)).toEqual([
      'scan.findings.high == 0',
      'approvals >= 2 by ml_engineer, auditor',
    ]);
    expect(await codeOf(reg.resolveAlias('fraud@production'))).toBe('REGISTRY_GATE_FAILED');
    expect((await reg.resolveAlias('fraud@production', { enforceGate: false })).gate.passed).toBe(false);
    expect(await codeOf(reg.resolveAlias('fraud@2'))).toBe('REGISTRY_REF_INVALID');
  });

  it('signature trusted fails for an untrusted key; compare-and-set promotion', async () => {
    await reg.setPolicy(
      {
        version: 1,
        trustedKeys: [other.publicPem],
        gates: { production: ['signature trusted'], beta: ['signature valid'] },
      },
      'admin',
    );
    const g = await reg.checkGate('fraud@1', 'production');
    expect(g.passed).toBe(false);
    expect(g.unmet[0]!.detail).toContain('does not verify with any trusted key');
    expect((await reg.checkGate('fraud@1', 'beta')).passed).toBe(true);
    expect((await reg.checkGate('fraud-src@1', 'beta')).passed).toBe(false);
    await reg.setPolicy({ version: 1, open: ['production', 'beta'], gates: {} }, 'admin');
    expect(await codeOf(reg.promote('fraud@1', 'production', 'erin', { expect: 'fraud@1' }))).toBe(
      'REGISTRY_CONFLICT',
    );
    expect(await reg.promote('fraud@1', 'production', 'erin', { expect: 'fraud@2' })).toMatchObject({
      promoted: true,
      previous: 'fraud@2',
    });
    expect(await reg.promote('fraud@1', 'production', 'erin')).toMatchObject({
      promoted: true,
      changed: false,
    });
    expect(await reg.promote('fraud@1', 'beta', 'erin', { expect: null })).toMatchObject({
      promoted: true,
      previous: null,
    });
  });

  it('shows a version with everything, and reports unknown references as not found', async () => {
    const d = await reg.show('fraud@2');
    expect(d.parents).toEqual([
      { relation: 'fine_tuned_from', ref: 'fraud@1' },
      { relation: 'trained_on', ref: 'dataset transactions' },
    ]);
    // the critical scan added after the second round of approvals expired them too
    expect(d.approvalList.map((a) => [a.principal, a.current])).toEqual([
      ['alice', false],
      ['bob', false],
      ['alice', false],
      ['bob', false],
    ]);
    expect(d.approvals).toBe(0);
    expect(d.aliases).toEqual(['staging']);
    expect(await codeOf(reg.show('nope@1'))).toBe('REGISTRY_NOT_FOUND');
    expect(await codeOf(reg.show('fraud@99'))).toBe('REGISTRY_NOT_FOUND');
    expect(await codeOf(reg.show('fraud@Bad Alias'))).toBe('REGISTRY_REF_INVALID');
    expect(await codeOf(reg.listVersions('nope'))).toBe('REGISTRY_NOT_FOUND');
  });

  it('keeps an intact audit chain of every change', async () => {
    const v = await reg.verifyAudit();
    expect(v.ok).toBe(true);
    const actions = (await reg.audit({ limit: 1000 })).map((a) => a.action);
    for (const a of [
      'model.create',
      'version.register',
      'dataset.register',
      'lineage.add',
      'evidence.add',
      'approval.add',
      'alias.set',
      'alias.refused',
      'policy.set',
    ])
      expect(actions).toContain(a);
    expect(v.records).toBe(actions.length);
  });
});
