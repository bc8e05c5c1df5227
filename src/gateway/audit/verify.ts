import type { Store } from '../../core/store/index.js';
import { GENESIS_HASH, recordHash, type AuditRecord } from './chain.js';

/** The outcome of `verifyAuditChain`: how far the chain holds, and the first record that breaks it. */
export interface ChainVerdict {
  ok: boolean;
  records: number;
  lastSeq: number;
  lastHash: string;
  firstBad?: { seq: number; reason: string; record: AuditRecord };
}

interface Row {
  seq: number;
  ts: string;
  actor: string;
  action: string;
  resource: string;
  decision: string;
  status: number;
  detail: string;
  prev_hash: string;
  hash: string;
}

const PAGE = 5000;

export const fromRow = (r: Row): AuditRecord => ({
  seq: Number(r.seq),
  ts: r.ts,
  actor: r.actor,
  action: r.action,
  resource: r.resource,
  decision: r.decision,
  status: Number(r.status),
  detail: r.detail,
  prevHash: r.prev_hash,
  hash: r.hash,
});

/** Pages through the audit table in sequence order, holding one page in memory at a time. */
export async function* auditRecords(store: Store, fromSeq = 1): AsyncGenerator<AuditRecord> {
  let after = fromSeq - 1;
  while (true) {
    const rows = await store.all<Row>(
      'SELECT seq, ts, actor, action, resource, decision, status, detail, prev_hash, hash ' +
        'FROM gateway_audit WHERE seq > ? ORDER BY seq LIMIT ?',
      [after, PAGE],
    );
    for (const r of rows) yield fromRow(r);
    if (rows.length < PAGE) return;
    after = Number(rows[rows.length - 1]!.seq);
  }
}

/**
 * Recomputes the chain from the first record: sequence numbers must run 1, 2, 3..., each record must
 * point at its predecessor's hash and hash to its own. Stops at the first break and reports it.
 */
export async function verifyAuditChain(store: Store): Promise<ChainVerdict> {
  let prev = { seq: 0, hash: GENESIS_HASH };
  let records = 0;
  for await (const r of auditRecords(store)) {
    const reason =
      r.seq !== prev.seq + 1
        ? `sequence jumps from ${prev.seq} to ${r.seq} (records missing)`
        : r.prevHash !== prev.hash
          ? 'prev_hash does not match the previous record (reordered, removed or inserted)'
          : recordHash(r) !== r.hash
            ? 'hash does not match the record (its content was changed)'
            : undefined;
    if (reason)
      return {
        ok: false,
        records,
        lastSeq: prev.seq,
        lastHash: prev.hash,
        firstBad: { seq: r.seq, reason, record: r },
      };
    prev = { seq: r.seq, hash: r.hash };
    records++;
  }
  return { ok: true, records, lastSeq: prev.seq, lastHash: prev.hash };
}
