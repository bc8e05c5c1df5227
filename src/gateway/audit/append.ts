import type { Queryable } from '../../core/store/index.js';
import { GENESIS_HASH, link, type AuditEvent } from './chain.js';

const COLUMNS = 'seq, ts, actor, action, resource, decision, status, detail, prev_hash, hash';
const ROWS_PER_INSERT = 200;
export const AUDIT_LOCK = 'warden-gateway-audit';

/** Links events to the last stored record and inserts them; run inside a transaction holding AUDIT_LOCK. */
export async function appendAudit(tx: Queryable, events: readonly AuditEvent[]): Promise<void> {
  const last = await tx.get<{ seq: number; hash: string }>(
    'SELECT seq, hash FROM gateway_audit ORDER BY seq DESC LIMIT 1',
  );
  const records = link(events, last ?? { seq: 0, hash: GENESIS_HASH });
  for (let i = 0; i < records.length; i += ROWS_PER_INSERT) {
    const chunk = records.slice(i, i + ROWS_PER_INSERT);
    const params = chunk.flatMap((r) => [
      r.seq,
      r.ts,
      r.actor,
      r.action,
      r.resource,
      r.decision,
      r.status,
      r.detail,
      r.prevHash,
      r.hash,
    ]);
    const values = chunk.map(() => '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ');
    await tx.run(`INSERT INTO gateway_audit (${COLUMNS}) VALUES ${values}`, params);
  }
}
