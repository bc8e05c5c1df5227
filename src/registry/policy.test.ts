import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isWardenError, seededRandom } from '../core/index.js';
import { evaluateGate, type GateInputs } from './gate.js';
import { gateClauseText, loadPromotionPolicy, parseGateClause, parsePromotionPolicy } from './policy.js';
import { keyPair } from './testing.js';

const dir = mkdtempSync(join(tmpdir(), 'warden-policy-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (e) {
    return isWardenError(e) ? e.code : `untyped: ${String(e)}`;
  }
  return undefined;
};

describe('gate clause language', () => {
  it('parses each clause form into its structured form', () => {
    expect(parseGateClause('attack[eps=0.1, attack=pgd].robustAccuracy >= 0.7')).toEqual({
      evidence: 'attack',
      where: { eps: 0.1, attack: 'pgd' },
      field: 'robustAccuracy',
      op: '>=',
      value: 0.7,
    });
    expect(parseGateClause('scan.verdict == pass')).toEqual({
      evidence: 'scan',
      field: 'verdict',
      op: '==',
      value: 'pass',
    });
    expect(parseGateClause('scan.findings.high==0')).toEqual({
      evidence: 'scan',
      field: 'findings.high',
      op: '==',
      value: 0,
    });
    expect(parseGateClause('verify.signer == "public key sha256:ab"')).toMatchObject({
      value: 'public key sha256:ab',
    });
    expect(parseGateClause('signature trusted')).toEqual({ signature: 'trusted' });
    expect(parseGateClause('approvals >= 2 by ml_engineer, auditor:1 within 30d')).toEqual({
      approvals: { min: 2, roles: { ml_engineer: 1, auditor: 1 }, maxAgeDays: 30 },
    });
    expect(parseGateClause('approvals >= 1')).toEqual({ approvals: { min: 1 } });
  });

  it('prints every clause back in one canonical form that parses to the same clause', () => {
    for (const text of [
      'attack[eps=0.1].robustAccuracy >= 0.7',
      'dp.epsilon <= 8',
      'fairness.demographic_parity_difference <= 0.1',
      'scan.verdict == pass',
      'verify.signer == "public key sha256:ab"',
      'membership.auc < 0.6',
      'signature valid',
      'approvals >= 2 by ml_engineer, auditor',
      'approvals >= 3 by auditor:2 within 7d',
    ]) {
      const c = parseGateClause(text);
      expect(gateClauseText(c)).toBe(text);
      expect(parseGateClause(gateClauseText(c))).toEqual(c);
    }
  });

  it('refuses malformed clauses with a typed error', () => {
    for (const bad of [
      'scan.verdict >= pass',
      'scan.verdict == maybe',
      'attack.robustAccuracy >= high',
      'approvals >= 2 by janitor',
      'approvals >= 0',
      'signature maybe',
      'Attack.x > 1',
      'attack[eps].x > 1',
      'attack.x ~ 1',
      'just words',
    ])
      expect(
        codeOf(() => parseGateClause(bad)),
        bad,
      ).toBe('REGISTRY_POLICY_INVALID');
  });

  it('validates policies: key files resolved beside the file, open vs gated, trust needs keys', () => {
    const k = keyPair();
    writeFileSync(join(dir, 'release.pub'), k.publicPem);
    writeFileSync(
      join(dir, 'gates.yaml'),
      'version: 1\ntrustedKeys: [release.pub]\nopen: [staging]\ngates:\n  production:\n    - signature trusted\n    - {evidence: dp, field: epsilon, op: "<=", value: 8}\n',
    );
    const p = loadPromotionPolicy(join(dir, 'gates.yaml'));
    expect(p.trustedKeys).toEqual([k.publicPem]);
    expect(p.gates.production).toEqual([
      { signature: 'trusted' },
      { evidence: 'dp', field: 'epsilon', op: '<=', value: 8 },
    ]);
    expect(codeOf(() => parsePromotionPolicy({ version: 1, open: ['a'], gates: { a: [] } }))).toBe(
      'REGISTRY_POLICY_INVALID',
    );
    expect(codeOf(() => parsePromotionPolicy({ version: 1, gates: { p: ['signature trusted'] } }))).toBe(
      'REGISTRY_POLICY_INVALID',
    );
    expect(
      codeOf(() =>
        parsePromotionPolicy({
          version: 1,
          trustedKeys: ['-----BEGIN PUBLIC KEY-----\nxx\n-----END PUBLIC KEY-----'],
          gates: {},
        }),
      ),
    ).toBe('REGISTRY_POLICY_INVALID');
    expect(codeOf(() => parsePromotionPolicy({ version: 1, gates: { 'Bad Alias': [] } }))).toBe(
      'REGISTRY_POLICY_INVALID',
    );
    expect(codeOf(() => parsePromotionPolicy({ version: 2, gates: {} }))).toBe('REGISTRY_POLICY_INVALID');
    expect(codeOf(() => parsePromotionPolicy({ version: 1, gates: { p: [{ evidence: 'x' }] } }))).toBe(
      'REGISTRY_POLICY_INVALID',
    );
    writeFileSync(join(dir, 'missing-key.yaml'), 'version: 1\ntrustedKeys: [nope.pub]\ngates: {}\n');
    expect(codeOf(() => loadPromotionPolicy(join(dir, 'missing-key.yaml')))).toBe('REGISTRY_POLICY_INVALID');
    expect(codeOf(() => loadPromotionPolicy(join(dir, 'absent.yaml')))).toBe('REGISTRY_POLICY_INVALID');
  });

  it('fuzz: mutated policy files and clause strings only ever raise the typed policy error', () => {
    const base =
      'version: 1\nopen: [staging]\ngates:\n  production:\n    - scan.findings.high == 0\n    - attack[eps=0.1].robustAccuracy >= 0.7\n    - approvals >= 2 by ml_engineer, auditor\n';
    const rnd = seededRandom(7);
    const alphabet = '[]{}:.,=<>!"\' \n-0123456789abcdefghijklmnopqrstuvwxyz_@*&|\\';
    for (let i = 0; i < 600; i++) {
      const chars = [...base];
      for (let j = 0, n = 1 + Math.floor(rnd() * 6); j < n; j++) {
        const at = Math.floor(rnd() * chars.length);
        const c = alphabet[Math.floor(rnd() * alphabet.length)]!;
        const op = rnd();
        if (op < 0.4) chars[at] = c;
        else if (op < 0.7) chars.splice(at, 1);
        else chars.splice(at, 0, c);
      }
      const text = chars.join('');
      const file = join(dir, 'fuzz.yaml');
      writeFileSync(file, text);
      const code = codeOf(() => loadPromotionPolicy(file));
      expect(
        code === undefined || code === 'REGISTRY_POLICY_INVALID',
        `${code} for ${JSON.stringify(text)}`,
      ).toBe(true);
      const line = text.split('\n')[4 + (i % 3)] ?? '';
      const c2 = codeOf(() => parseGateClause(line.replace(/^\s*-\s*/, '')));
      expect(c2 === undefined || c2 === 'REGISTRY_POLICY_INVALID', `${c2} for ${line}`).toBe(true);
    }
  });
});

describe('gate evaluation', () => {
  const facts = (metrics: Record<string, number>, labels: Record<string, string> = {}, high = 0) => ({
    metrics,
    labels,
    findings: { total: high, info: high, low: high, medium: high, high, critical: 0 },
  });
  const base: GateInputs = {
    version: {
      ref: 'm@1',
      digest: 'sha256:aa',
      createdBy: 'dana',
      evidenceDigest: 'E2',
      signature: null,
      signer: null,
      signedDigest: null,
    },
    evidence: [
      { id: 5, kind: 'attack', verdict: 'pass', facts: facts({ eps: 0.3, robustAccuracy: 0.2 }) },
      {
        id: 4,
        kind: 'attack',
        verdict: 'pass',
        facts: facts({ eps: 0.1, robustAccuracy: 0.8 }, { attack: 'pgd' }),
      },
      { id: 3, kind: 'attack', verdict: 'pass', facts: facts({ eps: 0.1, robustAccuracy: 0.3 }) },
      { id: 2, kind: 'scan', verdict: 'fail', facts: facts({}, {}, 1) },
    ],
    approvals: [
      { principal: 'alice', role: 'ml_engineer', evidenceDigest: 'E2', createdAt: '2026-01-10T00:00:00Z' },
      { principal: 'bob', role: 'auditor', evidenceDigest: 'E1', createdAt: '2026-01-09T00:00:00Z' },
      { principal: 'carol', role: 'auditor', evidenceDigest: 'E2', createdAt: '2025-01-01T00:00:00Z' },
    ],
    now: new Date('2026-01-11T00:00:00Z'),
  };
  const gate = (clauses: string[], inputs = base) =>
    evaluateGate(parsePromotionPolicy({ version: 1, gates: { prod: clauses } }), 'sha256:p', 'prod', inputs);

  it('reads the newest evidence of the kind that matches the selector', () => {
    const g = gate([
      'attack[eps=0.1].robustAccuracy >= 0.7',
      'attack[eps=0.1,attack=pgd].robustAccuracy >= 0.7',
      'attack.robustAccuracy >= 0.7',
    ]);
    expect(g.clauses.map((c) => [c.passed, c.evidenceId])).toEqual([
      [true, 4],
      [true, 4],
      [false, 5],
    ]);
    expect(gate(['attack[eps=0.2].robustAccuracy >= 0.7']).unmet[0]!.detail).toBe(
      'no attack evidence with eps=0.2',
    );
    expect(gate(['attack.missing >= 1']).unmet[0]!.detail).toBe('attack evidence #5 has no "missing"');
    expect(
      gate(['scan.verdict == pass', 'scan.findings.high == 0', 'scan.findings.critical == 0']).clauses.map(
        (c) => c.passed,
      ),
    ).toEqual([false, false, true]);
  });

  it('compares with a relative tolerance, so 0.1 + 0.2 <= 0.3', () => {
    const inputs = {
      ...base,
      evidence: [{ id: 1, kind: 'dp', verdict: 'pass', facts: facts({ epsilon: 0.1 + 0.2 }) }],
    };
    expect(
      gate(['dp.epsilon <= 0.3', 'dp.epsilon == 0.3', 'dp.epsilon < 0.3'], inputs).clauses.map(
        (c) => c.passed,
      ),
    ).toEqual([true, true, false]);
  });

  it('counts approvals that saw the current evidence, by role, age and distinct approver', () => {
    expect(gate(['approvals >= 1 by ml_engineer']).passed).toBe(true);
    const two = gate(['approvals >= 2 by ml_engineer, auditor']);
    expect(two.passed).toBe(true);
    const fresh = gate(['approvals >= 2 by ml_engineer, auditor within 30d']);
    expect(fresh.passed).toBe(false);
    expect(fresh.unmet[0]!.detail).toBe(
      '1 of 2 approvals: alice (ml_engineer); auditor needs 1, has 0; 1 approval(s) saw older evidence and expired; 1 approval(s) too old or by other roles',
    );
    expect(gate(['approvals >= 3']).passed).toBe(false);
    const self = { ...base, version: { ...base.version, createdBy: 'alice' } };
    expect(gate(['approvals >= 1 by ml_engineer'], self).passed).toBe(false);
  });

  it('fails closed without a policy, without a gate, or without a signature', () => {
    expect(evaluateGate(undefined, null, 'prod', base)).toMatchObject({
      passed: false,
      unmet: [{ clause: 'policy' }],
    });
    const p = parsePromotionPolicy({ version: 1, open: ['dev'], gates: {} });
    expect(evaluateGate(p, 'x', 'dev', base)).toMatchObject({ passed: true, clauses: [] });
    expect(evaluateGate(p, 'x', 'prod', base).passed).toBe(false);
    expect(gate(['signature valid']).unmet[0]!.detail).toBe(
      'the version was registered without a verified signature',
    );
  });
});
