import { hash } from 'node:crypto';

/** What a pipeline stage or admin command reports: one decision about one request or action. */
export interface AuditEvent {
  /** Principal id, `anonymous` before authentication, or `cli:<user>` for admin commands. */
  actor: string;
  /** e.g. `infer`, `model.read`, `auth`, `keys.create`, `extraction.alarm`. */
  action: string;
  /** Model name, key id, route... */
  resource: string;
  decision: 'allow' | 'deny' | 'error' | 'alarm' | 'admin';
  /** HTTP status answered (0 for admin actions). */
  status: number;
  detail?: Record<string, unknown>;
  /** ISO time; set when recorded if absent. */
  ts?: string;
}

/** One link of the chain as stored. */
export interface AuditRecord {
  seq: number;
  ts: string;
  actor: string;
  action: string;
  resource: string;
  decision: string;
  status: number;
  /** The detail object as JSON text, hashed exactly as stored. */
  detail: string;
  prevHash: string;
  hash: string;
}

export const GENESIS_HASH = '0'.repeat(64);

/** The hash of a record: SHA-256 over the previous hash and a JSON array of the record's fields. */
export function recordHash(r: Omit<AuditRecord, 'hash'>): string {
  const body = JSON.stringify([r.seq, r.ts, r.actor, r.action, r.resource, r.decision, r.status, r.detail]);
  return hash('sha256', `${r.prevHash}\n${body}`, 'hex');
}

/** Links events after (seq, hash): numbers them and computes each hash. */
export function link(events: readonly AuditEvent[], after: { seq: number; hash: string }): AuditRecord[] {
  let { seq, hash } = after;
  return events.map((e) => {
    const base = {
      seq: ++seq,
      ts: e.ts ?? new Date().toISOString(),
      actor: e.actor,
      action: e.action,
      resource: e.resource,
      decision: e.decision,
      status: e.status,
      detail: JSON.stringify(e.detail ?? {}),
      prevHash: hash,
    };
    hash = recordHash(base);
    return { ...base, hash };
  });
}
