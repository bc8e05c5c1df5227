import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgTestUrl } from '../../src/core/store/testing.js';
import { Registry } from '../../src/registry/index.js';
import { report } from '../../src/registry/testing.js';

// Real processes racing on one store: the built CLI (npm test builds first) and a child that is killed
// in the middle of a promotion.
const CLI = new URL('../../dist/cli/main.js', import.meta.url).pathname;
const CHILD = new URL('../fixtures/registry/crash-child.mjs', import.meta.url).pathname;
const tmp = mkdtempSync(join(tmpdir(), 'warden-registry-race-'));
const pg = pgTestUrl('registry_race');
afterAll(async () => {
  rmSync(tmp, { recursive: true, force: true });
  await pg.drop();
});

function run(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, args);
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.on('error', reject);
    p.on('close', (code) => resolve({ code, out, err }));
  });
}

// Starts the crash child and SIGKILLs it as soon as it reports being inside the transaction.
function crashMidway(url: string, ref: string, alias: string, pattern: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [CHILD, url, ref, alias, pattern]);
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      p.kill('SIGKILL');
      reject(new Error(`child never reached the transaction: ${out} ${err}`));
    }, 60_000);
    p.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('IN_TX')) p.kill('SIGKILL');
    });
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.on('close', (_code, signal) => {
      clearTimeout(timer);
      resolve(`${signal ?? 'exit'} ${out.trim()}`);
    });
  });
}

const files = [{ name: 'w.bin', digest: `sha256:${'11'.repeat(32)}`, size: 1, format: 'unknown' }];

describe.each([
  ['sqlite', () => `sqlite:${join(tmp, 'race.db')}`],
  ['postgres', () => pg.url],
])('registry under concurrent processes (%s)', (_name, url) => {
  let reg: Registry;
  beforeAll(async () => {
    reg = await Registry.open(url());
    for (let i = 1; i <= 4; i++)
      await reg.registerVersion(
        { name: 'race', digest: `sha256:${String(i).repeat(64)}`, format: 'unknown', uri: '/x', files },
        'dana',
      );
    await reg.setPolicy(
      {
        version: 1,
        open: ['production', 'canary'],
        gates: { reviewed: ['approvals >= 1 by auditor', 'scan.findings.high == 0'] },
      },
      'admin',
    );
    await reg.addEvidence('race@1', report('scan', { files: 1 }), 'dana');
    await reg.promote('race@1', 'production', 'dana');
  });
  afterAll(async () => {
    await reg.close();
  });
  const cli = (args: string[]) => run([CLI, 'registry', ...args, '--store', url(), '--json']);

  it('six processes approving as one principal record one approval', async () => {
    const rs = await Promise.all(
      Array.from({ length: 6 }, () => cli(['approve', 'race@1', '--as', 'alice', '--role', 'auditor'])),
    );
    expect(rs.map((r) => r.code)).toEqual([0, 0, 0, 0, 0, 0]);
    const created = rs.map((r) => (JSON.parse(r.out) as { created: boolean }).created);
    expect(created.filter(Boolean)).toHaveLength(1);
    const rows = await reg.store.all("SELECT principal FROM registry_approvals WHERE principal = 'alice'");
    expect(rows).toHaveLength(1);
    expect((await reg.show('race@1')).approvals).toBe(1);
  });

  it('two processes moving one alias from the same version: exactly one wins', async () => {
    for (const [a, b, from] of [
      ['race@2', 'race@3', 'race@1'],
      ['race@4', 'race@1', null],
    ] as const) {
      const cur = (await reg.resolveAlias('race@production')).version.ref;
      const expect_ = from ?? cur;
      const rs = await Promise.all([
        cli(['promote', a, '--alias', 'production', '--expect', expect_]),
        cli(['promote', b, '--alias', 'production', '--expect', expect_]),
      ]);
      const codes = rs.map((r) => r.code).sort();
      expect(codes).toEqual([0, 2]);
      const loser = rs.find((r) => r.code === 2)!;
      expect(loser.err).toContain('REGISTRY_CONFLICT');
      const winner = rs.findIndex((r) => r.code === 0);
      expect((await reg.resolveAlias('race@production')).version.ref).toBe(winner === 0 ? a : b);
    }
  });

  it('racing promotions without --expect serialise: every move names the version it replaced', async () => {
    const refs = ['race@1', 'race@2', 'race@3', 'race@4', 'race@2'];
    const rs = await Promise.all(refs.map((r) => cli(['promote', r, '--alias', 'canary'])));
    expect(rs.map((r) => r.code)).toEqual([0, 0, 0, 0, 0]);
    const moves = (await reg.audit({ limit: 1000 }))
      .filter(
        (a) => a.action === 'alias.set' && (JSON.parse(a.detail) as { alias: string }).alias === 'canary',
      )
      .reverse()
      .map((a) => ({
        to: a.subject,
        previous: (JSON.parse(a.detail) as { previous: string | null }).previous,
      }));
    for (let i = 0; i < moves.length; i++) expect(moves[i]!.previous).toBe(i === 0 ? null : moves[i - 1]!.to);
    expect((await reg.resolveAlias('race@canary')).version.ref).toBe(moves[moves.length - 1]!.to);
  });

  it('a promotion racing evidence that breaks its gate never lands after the evidence', async () => {
    const bad = JSON.stringify(
      report('scan', { files: 1 }, [
        { id: 'x', detector: 't', severity: 'critical', title: 't', detail: 'd', refs: {} },
      ]),
    );
    const file = join(tmp, `bad-${_name}.json`);
    (await import('node:fs')).writeFileSync(file, bad);
    const [p, e] = await Promise.all([
      cli(['promote', 'race@1', '--alias', 'reviewed']),
      cli(['evidence', 'add', 'race@1', file]),
    ]);
    expect(e.code).toBe(0);
    const recs = (await reg.audit({ limit: 1000 })).reverse();
    const evidenceAt = recs.find(
      (r) => r.action === 'evidence.add' && r.detail.includes('"verdict":"fail"'),
    )!.seq;
    const set = recs.find((r) => r.action === 'alias.set' && r.detail.includes('"alias":"reviewed"'));
    if (p.code === 0) expect(set!.seq).toBeLessThan(evidenceAt);
    else {
      expect(p.code).toBe(1);
      expect(set).toBeUndefined();
    }
    expect((await reg.checkGate('race@1', 'reviewed')).passed).toBe(false);
  });

  it('a process killed in the middle of a promotion leaves the old alias, and the chain intact', async () => {
    for (const pattern of ['INSERT INTO registry_aliases', 'INSERT INTO registry_audit']) {
      const before = (await reg.resolveAlias('race@production')).version.ref;
      const target = before === 'race@3' ? 'race@2' : 'race@3';
      const head = (await reg.verifyAudit()).head;
      expect(await crashMidway(url(), target, 'production', pattern)).toBe('SIGKILL IN_TX');
      expect((await reg.resolveAlias('race@production')).version.ref).toBe(before);
      const rows = await reg.store.all(
        "SELECT version_id FROM registry_aliases a JOIN registry_models m ON m.id = a.model_id WHERE m.name = 'race' AND a.alias = 'production'",
      );
      expect(rows).toHaveLength(1);
      const v = await reg.verifyAudit();
      expect(v).toMatchObject({ ok: true, head });
      // the crashed writer's lock is gone: the next promotion goes through and is the new alias
      const done = await run([CHILD, url(), target, 'production', 'NEVER_MATCHES']);
      expect(done.out).toContain('DONE true');
      expect((await reg.resolveAlias('race@production')).version.ref).toBe(target);
      expect((await reg.verifyAudit()).ok).toBe(true);
    }
  });
});
