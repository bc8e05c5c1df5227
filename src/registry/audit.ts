import { createHash } from 'node:crypto';
import type { Queryable } from '../core/store/index.js';

/** One change to the registry, as the mutating operation describes it. */
export interface AuditEvent {
  /** Principal id (`cli:<user>` for the command line). */
  actor: string;
  /** e.g. `model.create`, `version.register`, `evidence.add`, `approval.add`, `alias.set`, `policy.set`. */
  action: string;
  /** What changed: `NAME@3`, `NAME`, `dataset:NAME`, `policy`. */
  subject: string;
  detail: Record<string, unknown>;
}

/** One link of the registry's audit chain as stored. */
export interface AuditRecord {
  seq: number;
  ts: string;
  actor: string;
  action: string;
  subject: string;
  /** The detail object as JSON text, hashed exactly as stored. */
  detail: string;
  prevHash: string;
  hash: string;
}

export const GENESIS_HASH = '0'.repeat(64);

/** SHA-256 over the previous hash and a JSON array of the record's fields. */
export function recordHash(r: Omit<AuditRecord, 'hash'>): string {
  const body = JSON.stringify([r.seq, r.ts, r.actor, r.action, r.subject, r.detail]);
  return createHash('sha256').update(r.prevHash).update('\n').update(body).digest('hex');
}

/**
 * Appends one record inside the caller's transaction: links it to the head, inserts it and moves the
 * head. Callers hold the registry lock, so records are numbered without gaps in commit order; the head
 * row lets `verifyAudit` notice records deleted from the end of the chain.
 */
export async function appendAudit(tx: Queryable, e: AuditEvent): Promise<AuditRecord> {
  const head = await tx.get<{ seq: number; hash: string }>(
    'SELECT seq, hash FROM registry_audit_head WHERE id = 1',
  );
  const base = {
    seq: Number(head?.seq ?? 0) + 1,
    ts: new Date().toISOString(),
    actor: e.actor,
    action: e.action,
    subject: e.subject,
    detail: JSON.stringify(e.detail),
    prevHash: head?.hash ?? GENESIS_HASH,
  };
  const rec = { ...base, hash: recordHash(base) };
  await tx.run(
    'INSERT INTO registry_audit (seq, ts, actor, action, subject, detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    [rec.seq, rec.ts, rec.actor, rec.action, rec.subject, rec.detail, rec.prevHash, rec.hash],
  );
  if (head)
    await tx.run('UPDATE registry_audit_head SET seq = ?, hash = ? WHERE id = 1', [rec.seq, rec.hash]);
  else await tx.run('INSERT INTO registry_audit_head (id, seq, hash) VALUES (1, ?, ?)', [rec.seq, rec.hash]);
  return rec;
}

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

const fromRow = (r: Row): AuditRecord => ({
  seq: Number(r.seq),
  ts: r.ts,
  actor: r.actor,
  action: r.action,
  subject: r.subject,
  detail: r.detail,
  prevHash: r.prev_hash,
  hash: r.hash,
});

const COLUMNS = 'seq, ts, actor, action, subject, detail, prev_hash, hash';
const PAGE = 5000;

/** Pages through the chain in sequence order, one page in memory at a time. */
export async function* auditRecords(q: Queryable, fromSeq = 1): AsyncGenerator<AuditRecord> {
  let after = fromSeq - 1;
  for (;;) {
    const rows = await q.all<Row>(
      `SELECT ${COLUMNS} FROM registry_audit WHERE seq > ? ORDER BY seq LIMIT ?`,
      [after, PAGE],
    );
    for (const r of rows) yield fromRow(r);
    if (rows.length < PAGE) return;
    after = Number(rows[rows.length - 1]!.seq);
  }
}

/** The last records of the chain, newest first (for `show` and the dashboard). */
export async function recentAudit(q: Queryable, subjectPrefix: string | undefined, limit: number) {
  const rows = subjectPrefix
    ? await q.all<Row>(
        `SELECT ${COLUMNS} FROM registry_audit WHERE subject = ? OR subject LIKE ? ORDER BY seq DESC LIMIT ?`,
        [subjectPrefix, `${subjectPrefix}@%`, limit],
      )
    : await q.all<Row>(`SELECT ${COLUMNS} FROM registry_audit ORDER BY seq DESC LIMIT ?`, [limit]);
  return rows.map(fromRow);
}

/** The outcome of `verifyAudit`: how far the chain holds and the first record that breaks it. */
export interface AuditVerdict {
  ok: boolean;
  /** Records that verified before the first break (all of them when ok). */
  records: number;
  head: { seq: number; hash: string };
  firstBad?: { seq: number; reason: string; record?: AuditRecord };
  /** Aliases whose stored version is not the one the trail's last `alias.set` names (edited outside Warden). */
  aliasDrift?: { alias: string; table: string | null; trail: string | null }[];
}

/**
 * Replays the `alias.set` records of an intact trail and compares the result with the alias table: a row
 * edited, added or deleted by hand (pointing production at a version no promotion chose) shows up here.
 */
export async function aliasDrift(q: Queryable): Promise<NonNullable<AuditVerdict['aliasDrift']>> {
  const trail = new Map<string, string>();
  let after = 0;
  for (;;) {
    const rows = await q.all<{ seq: number; subject: string; detail: string }>(
      "SELECT seq, subject, detail FROM registry_audit WHERE action = 'alias.set' AND seq > ? ORDER BY seq LIMIT 5000",
      [after],
    );
    for (const r of rows) {
      const alias = (JSON.parse(r.detail) as { alias?: unknown }).alias;
      const model = r.subject.slice(0, r.subject.lastIndexOf('@'));
      if (typeof alias === 'string') trail.set(`${model}@${alias}`, r.subject);
    }
    if (rows.length < 5000) break;
    after = Number(rows[rows.length - 1]!.seq);
  }
  const table = new Map<string, string>();
  const rows = await q.all<{ name: string; alias: string; version: number }>(
    'SELECT m.name, a.alias, v.version FROM registry_aliases a JOIN registry_models m ON m.id = a.model_id ' +
      'JOIN registry_versions v ON v.id = a.version_id',
  );
  for (const r of rows) table.set(`${r.name}@${r.alias}`, `${r.name}@${r.version}`);
  const out: NonNullable<AuditVerdict['aliasDrift']> = [];
  for (const key of new Set([...trail.keys(), ...table.keys()]))
    if (trail.get(key) !== table.get(key))
      out.push({ alias: key, table: table.get(key) ?? null, trail: trail.get(key) ?? null });
  return out.sort((a, b) => a.alias.localeCompare(b.alias));
}

/**
 * Recomputes the chain from the first record: sequence numbers must run 1, 2, 3..., each record must point
 * at its predecessor's hash and hash to its own, and the last record must be the stored head. This finds any
 * edited, inserted, reordered or deleted record, at the end of the chain too; an attacker who also rewrites
 * the head to a shorter chain is caught only by comparing the head with a copy kept elsewhere (`expectHead`).
 */
export async function verifyAudit(
  q: Queryable,
  expectHead?: { seq: number; hash: string },
): Promise<AuditVerdict> {
  let prev = { seq: 0, hash: GENESIS_HASH };
  let records = 0;
  const bad = (seq: number, reason: string, record?: AuditRecord): AuditVerdict => ({
    ok: false,
    records,
    head: prev,
    firstBad: { seq, reason, ...(record ? { record } : {}) },
  });
  for await (const r of auditRecords(q)) {
    const reason =
      r.seq !== prev.seq + 1
        ? `sequence jumps from ${prev.seq} to ${r.seq}: record ${prev.seq + 1} was deleted`
        : r.prevHash !== prev.hash
          ? 'prev_hash does not match the previous record (records removed, inserted or reordered)'
          : recordHash(r) !== r.hash
            ? 'hash does not match the record: its content was edited'
            : undefined;
    if (reason) return bad(r.seq === prev.seq + 1 ? r.seq : prev.seq + 1, reason, r);
    if (expectHead && r.seq === expectHead.seq && r.hash !== expectHead.hash)
      return bad(r.seq, 'the record differs from the expected head kept elsewhere (chain rewritten)', r);
    prev = { seq: r.seq, hash: r.hash };
    records++;
  }
  const head = await q.get<{ seq: number; hash: string }>(
    'SELECT seq, hash FROM registry_audit_head WHERE id = 1',
  );
  const stored = { seq: Number(head?.seq ?? 0), hash: head?.hash ?? GENESIS_HASH };
  if (stored.seq !== prev.seq || stored.hash !== prev.hash)
    return bad(
      prev.seq + 1,
      stored.seq > prev.seq
        ? `the chain ends at record ${prev.seq} but the head says ${stored.seq}: records at the end were deleted`
        : `the head (record ${stored.seq}) does not match the last record ${prev.seq}`,
    );
  if (expectHead && expectHead.seq > prev.seq)
    return bad(
      prev.seq + 1,
      `the chain ends at record ${prev.seq} but the expected head is record ${expectHead.seq}: records at the end were deleted`,
    );
  return { ok: true, records, head: prev };
}
