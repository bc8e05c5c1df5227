import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgTestUrl } from '../core/store/testing.js';
import { recordHash } from './audit.js';
import { Registry } from './index.js';
import { report } from './testing.js';

const dir = mkdtempSync(join(tmpdir(), 'warden-registry-audit-'));
const pg = pgTestUrl('registry_audit');
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await pg.drop();
});

interface Row {
  seq: number;
  ts: string;
  actor: string;
  action: string;
  subject: string;
  detail: string;
  prev_hash: string;
  hash: string;
}

describe.each([
  ['sqlite', () => `sqlite:${join(dir, 'audit.db')}`],
  ['postgres', () => pg.url],
])('audit chain (%s)', (_name, url) => {
  let reg: Registry;
  let saved: Row[];
  let head: { seq: number; hash: string };

  beforeAll(async () => {
    reg = await Registry.open(url());
    const files = [{ name: 'w.bin', digest: `sha256:${'11'.repeat(32)}`, size: 1, format: 'unknown' }];
    for (let i = 1; i <= 3; i++) {
      const digest = `sha256:${String(i).repeat(64)}`;
      await reg.registerVersion({ name: 'm', digest, format: 'unknown', uri: '/x', files }, 'dana');
      await reg.addEvidence(`m@${i}`, report('scan', { files: i }), 'dana');
    }
    saved = await reg.store.all<Row>('SELECT * FROM registry_audit ORDER BY seq');
    const h = await reg.store.get<{ seq: number; hash: string }>('SELECT seq, hash FROM registry_audit_head');
    head = { seq: Number(h!.seq), hash: h!.hash };
    expect(saved.length).toBe(7);
  });
  afterAll(async () => {
    await reg.close();
  });

  // Puts the chain back as it was after each tampering.
  async function restore(): Promise<void> {
    await reg.store.transaction(async (tx) => {
      await tx.run('DELETE FROM registry_audit');
      for (const r of saved)
        await tx.run(
          'INSERT INTO registry_audit (seq, ts, actor, action, subject, detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
          [r.seq, r.ts, r.actor, r.action, r.subject, r.detail, r.prev_hash, r.hash],
        );
      await tx.run('UPDATE registry_audit_head SET seq = ?, hash = ?', [head.seq, head.hash]);
    });
    expect((await reg.verifyAudit()).ok).toBe(true);
  }

  const tampered = async (sql: string, params: (string | number)[] = []) => {
    await reg.store.run(sql, params);
    const v = await reg.verifyAudit();
    await restore();
    return v;
  };

  it('an intact chain verifies, and its head can be checked against a copy kept elsewhere', async () => {
    const v = await reg.verifyAudit(head);
    expect(v).toMatchObject({ ok: true, records: 7, head });
  });

  it('finds an edited record, whichever field changed', async () => {
    for (const col of ['detail', 'actor', 'ts', 'action', 'subject']) {
      const v = await tampered(`UPDATE registry_audit SET ${col} = ? WHERE seq = 4`, ['{"evil":1}']);
      expect(v.ok).toBe(false);
      expect(v.firstBad).toMatchObject({ seq: 4 });
      expect(v.firstBad!.reason).toMatch(/edited/);
      expect(v.records).toBe(3);
    }
  });

  it('finds a record edited with its hash recomputed at the next link', async () => {
    const r = saved[2]!;
    const forged = { ...r, detail: '{"forged":true}' };
    const hash = recordHash({
      seq: r.seq,
      ts: r.ts,
      actor: r.actor,
      action: r.action,
      subject: r.subject,
      detail: forged.detail,
      prevHash: r.prev_hash,
    });
    const v = await tampered('UPDATE registry_audit SET detail = ?, hash = ? WHERE seq = 3', [
      forged.detail,
      hash,
    ]);
    expect(v.firstBad).toMatchObject({ seq: 4 });
    expect(v.firstBad!.reason).toMatch(/prev_hash/);
  });

  it('finds deleted records: first, middle and last', async () => {
    expect((await tampered('DELETE FROM registry_audit WHERE seq = 1')).firstBad).toMatchObject({ seq: 1 });
    const mid = await tampered('DELETE FROM registry_audit WHERE seq = 5');
    expect(mid.firstBad).toMatchObject({ seq: 5 });
    expect(mid.firstBad!.reason).toMatch(/deleted/);
    const last = await tampered('DELETE FROM registry_audit WHERE seq = 7');
    expect(last.firstBad).toMatchObject({ seq: 7 });
    expect(last.firstBad!.reason).toMatch(/deleted/);
  });

  it('a truncated chain with a rewritten head passes alone but not against a kept head', async () => {
    await reg.store.run('DELETE FROM registry_audit WHERE seq = 7');
    const prev = saved[5]!;
    await reg.store.run('UPDATE registry_audit_head SET seq = ?, hash = ?', [prev.seq, prev.hash]);
    expect((await reg.verifyAudit()).ok).toBe(true);
    const v = await reg.verifyAudit(head);
    expect(v.firstBad).toMatchObject({ seq: 7 });
    await restore();
  });

  it('finds swapped records and an inserted one', async () => {
    const a = saved[1]!;
    const b = saved[2]!;
    await reg.store.run('UPDATE registry_audit SET detail = ?, action = ? WHERE seq = ?', [
      b.detail,
      b.action,
      a.seq,
    ]);
    await reg.store.run('UPDATE registry_audit SET detail = ?, action = ? WHERE seq = ?', [
      a.detail,
      a.action,
      b.seq,
    ]);
    expect((await reg.verifyAudit()).firstBad).toMatchObject({ seq: 2 });
    await restore();
    const v = await tampered(
      "INSERT INTO registry_audit (seq, ts, actor, action, subject, detail, prev_hash, hash) VALUES (8, 't', 'x', 'alias.set', 'm@1', '{}', 'p', 'h')",
    );
    expect(v.firstBad).toMatchObject({ seq: 8 });
  });

  it('finds an alias moved outside Warden by replaying the trail', async () => {
    await reg.setPolicy({ version: 1, open: ['production'], gates: {} }, 'admin');
    await reg.promote('m@2', 'production', 'dana');
    expect((await reg.verifyAudit()).ok).toBe(true);
    await reg.store.run(
      "UPDATE registry_aliases SET version_id = (SELECT id FROM registry_versions WHERE version = 3) WHERE alias = 'production'",
    );
    const v = await reg.verifyAudit();
    expect(v).toMatchObject({
      ok: false,
      aliasDrift: [{ alias: 'm@production', table: 'm@3', trail: 'm@2' }],
    });
    expect(v.firstBad).toBeUndefined();
    await reg.store.run("DELETE FROM registry_aliases WHERE alias = 'production'");
    expect((await reg.verifyAudit()).aliasDrift).toEqual([
      { alias: 'm@production', table: null, trail: 'm@2' },
    ]);
    await reg.promote('m@2', 'production', 'dana');
    expect((await reg.verifyAudit()).ok).toBe(true);
    saved = await reg.store.all<Row>('SELECT * FROM registry_audit ORDER BY seq');
    const h = await reg.store.get<{ seq: number; hash: string }>('SELECT seq, hash FROM registry_audit_head');
    head = { seq: Number(h!.seq), hash: h!.hash };
  });

  it('keeps extending the chain correctly after verification', async () => {
    await reg.addEvidence('m@1', report('scan', { files: 99 }), 'dana');
    const v = await reg.verifyAudit(head);
    expect(v).toMatchObject({ ok: true, records: saved.length + 1 });
  });
});
