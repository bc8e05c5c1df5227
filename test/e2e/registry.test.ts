import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { finding, keyPair, report, signedModel } from '../../src/registry/testing.js';

// Black-box: the built CLI (npm test builds first), as a user runs it, on the default SQLite store.
const CLI = new URL('../../dist/cli/main.js', import.meta.url).pathname;
const tmp = mkdtempSync(join(tmpdir(), 'warden-registry-e2e-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function warden(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [CLI, 'registry', ...args], {
    cwd: tmp,
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, WARDEN_STORE: '' },
    ...(input === undefined ? {} : { input }),
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
const json = <T>(args: string[]): T => {
  const r = warden([...args, '--json']);
  expect(r.code, r.err).toBe(0);
  return JSON.parse(r.out) as T;
};
const attack = (robust: number) =>
  JSON.stringify({
    attack: 'pgd',
    eps: 0.1,
    norm: 'inf',
    examples: 100,
    cleanAccuracy: 0.9,
    robustAccuracy: robust,
    robustAccuracyOfCorrect: robust,
    attackSuccessRate: 0.1,
    maxPerturbation: 0.1,
    meanPerturbation: 0.1,
    seconds: 1,
  });

describe('warden registry', () => {
  const key = keyPair();
  writeFileSync(join(tmp, 'release.pub'), key.publicPem);

  it('registers a signed model into .warden/warden.db under the working directory', async () => {
    await signedModel(tmp, 'model-v1', 1, key);
    // WARDEN_STORE is empty here: an empty value means the default
    const r = spawnSync(
      process.execPath,
      [
        CLI,
        'registry',
        'register',
        'model-v1',
        '--name',
        'credit',
        '--public-key',
        'release.pub',
        '--scan',
        '--as',
        'dana',
      ],
      {
        cwd: tmp,
        encoding: 'utf8',
        env: { ...process.env, WARDEN_STORE: undefined },
      },
    );
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /^registered credit@1 sha256:[0-9a-f]{64} \(safetensors, 2 file\(s\)\)\n {2}signature: public key sha256:[0-9a-f]{64}\n {2}scan: pass \(0 findings\) attached as evidence\n$/,
    );
    expect(existsSync(join(tmp, '.warden', 'warden.db'))).toBe(true);
  });

  it('refuses an unsigned-key registration of a signed model and bad input with exit 2', async () => {
    await signedModel(tmp, 'model-v2', 2, key);
    const r = warden(['register', 'model-v2', '--name', 'credit']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('REGISTRY_SIGNATURE_INVALID');
    expect(warden(['show', 'credit@7']).code).toBe(2);
    expect(warden(['show', 'credit@Bad!']).err).toContain('REGISTRY_REF_INVALID');
    expect(warden(['list', '--store', 'mysql://x']).err).toContain('STORE_URL_INVALID');
    writeFileSync(join(tmp, 'junk.json'), '{"kind": "scan"');
    expect(warden(['evidence', 'add', 'credit@1', 'junk.json']).err).toContain('REGISTRY_EVIDENCE_INVALID');
    writeFileSync(join(tmp, 'bad-policy.yaml'), 'version: 1\ngates:\n  production: [scan.verdict >= 1]\n');
    const bad = warden(['policy', 'set', 'bad-policy.yaml']);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('REGISTRY_POLICY_INVALID');
  });

  it('registers lineage from a data set file and a parent, and prints it as a tree', () => {
    writeFileSync(join(tmp, 'loans.csv'), 'id,income,email\n1,52000,a@example.com\n2,61000,b@example.com\n');
    const v2 = json<{ ref: string }>([
      'register',
      'model-v2',
      '--name',
      'credit',
      '--public-key',
      'release.pub',
      '--parent',
      'credit@1',
      '--dataset',
      'loans.csv',
      '--as',
      'dana',
    ]);
    expect(v2.ref).toBe('credit@2');
    const tree = warden(['lineage', 'credit@2']);
    expect(tree.code).toBe(0);
    const lines = tree.out.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^credit@2 \([0-9a-f]{12}\)$/);
    expect(lines[1]).toMatch(/^├─ fine_tuned_from credit@1 \([0-9a-f]{12}\)$/);
    expect(lines[2]).toMatch(/^└─ trained_on dataset loans \([0-9a-f]{12}\)$/);
    const down = warden(['lineage', 'dataset:loans']);
    expect(down.out).toMatch(
      /^dataset loans \([0-9a-f]{12}\)\n└─ credit@2 \([0-9a-f]{12}\) \(trained_on\)\n$/,
    );
    writeFileSync(
      join(tmp, 'people.jsonl'),
      '{"name":"x","contact":"c@example.com"}\n{"name":"y","contact":"none"}\n',
    );
    const ds = warden(['dataset', 'add', 'people.jsonl', '--pii']);
    expect(ds.code, ds.err).toBe(0);
    expect(ds.out).toMatch(
      /^registered data set people@sha256:[0-9a-f]{64} \(jsonl, \d+ bytes\)\n {2}PII: 1 hits in 4 sampled cells\n {2}- EMAIL_ADDRESS in column "contact"\n$/,
    );
    const listed = json<{ name: string; pii: unknown }[]>(['list', '--datasets']);
    expect(listed.map((d) => d.name)).toEqual(['loans', 'people']);
    const graph = json<{ nodes: unknown[]; edges: { relation: string }[] }>(['lineage', 'credit@2']);
    expect(graph.edges.map((e) => e.relation)).toEqual(['fine_tuned_from', 'trained_on']);
  });

  it('promote refuses with the exact unmet clauses (exit 1) until evidence and approvals satisfy the gate', () => {
    writeFileSync(
      join(tmp, 'gates.yaml'),
      [
        'version: 1',
        'trustedKeys: [release.pub]',
        'open: [staging]',
        'gates:',
        '  production:',
        '    - scan.verdict == pass',
        '    - signature trusted',
        '    - attack[eps=0.1].robustAccuracy >= 0.7',
        '    - dp.epsilon <= 8',
        '    - fairness.demographic_parity_difference <= 0.1',
        '    - approvals >= 2 by ml_engineer, auditor',
        '',
      ].join('\n'),
    );
    expect(warden(['policy', 'set', 'gates.yaml', '--as', 'admin']).code).toBe(0);
    const refused = warden(['promote', 'credit@1', '--alias', 'production']);
    expect(refused.code).toBe(1);
    expect(refused.err).toBe(
      'refused: credit@1 cannot become production; unmet clauses:\n' +
        '  - attack[eps=0.1].robustAccuracy >= 0.7  -- no attack evidence with eps=0.1\n' +
        '  - dp.epsilon <= 8  -- no dp evidence\n' +
        '  - fairness.demographic_parity_difference <= 0.1  -- no fairness evidence\n' +
        '  - approvals >= 2 by ml_engineer, auditor  -- 0 of 2 approvals: none; ml_engineer needs 1, has 0; auditor needs 1, has 0\n',
    );
    writeFileSync(join(tmp, 'attack.json'), attack(0.74));
    expect(warden(['evidence', 'add', 'credit@1', 'attack.json']).code).toBe(0);
    expect(
      warden(
        ['evidence', 'add', 'credit@1', '-'],
        JSON.stringify({ accountant: 'rdp', steps: 1000, epsilon: 6.1 }),
      ).code,
    ).toBe(0);
    writeFileSync(
      join(tmp, 'fair.json'),
      JSON.stringify(report('fairness', { demographic_parity_difference: 0.05 })),
    );
    expect(warden(['evidence', 'add', 'credit@1', 'fair.json', '--as', 'erin']).out).toMatch(
      /^attached fairness evidence #\d+ \(pass\) to credit@1/,
    );
    const self = warden(['approve', 'credit@1', '--as', 'dana', '--role', 'auditor']);
    expect(self.code).toBe(2);
    expect(self.err).toContain('REGISTRY_SELF_APPROVAL');
    expect(warden(['approve', 'credit@1', '--as', 'alice', '--role', 'ml_engineer']).code).toBe(0);
    expect(warden(['approve', 'credit@1', '--as', 'bob', '--role', 'janitor']).code).toBe(2);
    expect(warden(['approve', 'credit@1', '--as', 'bob', '--role', 'auditor']).out).toBe(
      'bob approved credit@1 as auditor\n',
    );
    const gate = json<{ passed: boolean }>(['gate', 'credit@1', '--alias', 'production']);
    expect(gate.passed).toBe(true);
    const ok = warden(['promote', 'credit@1', '--alias', 'production', '--as', 'erin']);
    expect(ok).toMatchObject({ code: 0, out: 'promoted credit@1 to production\n' });
    expect(warden(['promote', 'credit@2', '--alias', 'staging']).out).toBe('promoted credit@2 to staging\n');
    const list = warden(['list']);
    expect(list.out).toMatch(
      /^MODEL +VERSIONS +LATEST +ALIASES +UPDATED\ncredit +2 +2 +production=1, staging=2 /,
    );
    const versions = json<{ ref: string; approvals: number; aliases: string[] }[]>(['list', 'credit']);
    expect(versions.map((v) => [v.ref, v.approvals, v.aliases])).toEqual([
      ['credit@2', 0, ['staging']],
      ['credit@1', 2, ['production']],
    ]);
    const show = warden(['show', 'credit@production']);
    expect(show.out).toContain('gate production for credit@1: PASS');
    expect(show.out).toContain('  bob as auditor at ');
  });

  it('new failing evidence expires approvals and turns the gate red', () => {
    writeFileSync(
      join(tmp, 'scan-bad.json'),
      JSON.stringify(report('scan', { files: 1 }, [finding('critical')])),
    );
    expect(warden(['evidence', 'add', 'credit@1', 'scan-bad.json']).code).toBe(0);
    const g = warden(['gate', 'credit@production', '--alias', 'production']);
    expect(g.code).toBe(1);
    expect(g.out).toContain('FAIL scan.verdict == pass  -- verdict = fail');
    expect(g.out).toMatch(
      /FAIL approvals >= 2 by ml_engineer, auditor {2}-- 0 of 2 approvals: none; .*2 approval\(s\) saw older evidence and expired/,
    );
  });

  it('verify passes an intact chain and exits 1 at the first edited or deleted record', () => {
    const ok = warden(['verify']);
    expect(ok.code).toBe(0);
    const m = /^audit chain intact: (\d+) records, head (\d+):([0-9a-f]{64})\n$/.exec(ok.out);
    expect(m).not.toBeNull();
    const db = new Database(join(tmp, '.warden', 'warden.db'));
    try {
      const saved = db.prepare('SELECT detail FROM registry_audit WHERE seq = 5').get() as { detail: string };
      db.prepare('UPDATE registry_audit SET detail = ? WHERE seq = 5').run('{"edited":true}');
      const edited = warden(['verify']);
      expect(edited.code).toBe(1);
      expect(edited.out).toMatch(
        /^audit chain BROKEN at record 5: hash does not match the record: its content was edited\n/,
      );
      db.prepare('UPDATE registry_audit SET detail = ? WHERE seq = 5').run(saved.detail);
      expect(warden(['verify']).code).toBe(0);
      const last = Number(m![2]);
      const row = db.prepare('SELECT * FROM registry_audit WHERE seq = ?').get(last) as Record<
        string,
        unknown
      >;
      db.prepare('DELETE FROM registry_audit WHERE seq = ?').run(last);
      const r = warden(['verify', '--json']);
      expect(r.code).toBe(1);
      expect((JSON.parse(r.out) as { firstBad: { seq: number } }).firstBad.seq).toBe(last);
      db.prepare(
        'INSERT INTO registry_audit VALUES (@seq, @ts, @actor, @action, @subject, @detail, @prev_hash, @hash)',
      ).run(row);
      expect(warden(['verify', '--expect-head', `${m![2]}:${m![3]}`]).code).toBe(0);
    } finally {
      db.close();
    }
  });
});
