// A hash-chained JSON-lines audit log: each record carries the SHA-256 of the previous one, so an edited,
// removed or reordered line breaks the chain. (Warden's gateway has its own audit store; this example keeps a
// file on purpose, to stay self-contained.)
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';

const GENESIS = '0'.repeat(64);

function digest(prev, body) {
  return createHash('sha256').update(prev).update('\n').update(JSON.stringify(body)).digest('hex');
}

export class AuditLog {
  constructor(path) {
    this.path = path;
    const v = existsSync(path) ? verifyAuditLog(path) : { ok: true, records: 0, last: GENESIS };
    if (!v.ok) throw new Error(`audit log ${path} is broken at line ${v.line}: ${v.reason}`);
    this.seq = v.records;
    this.prev = v.last;
  }

  /** Appends one event synchronously: when this returns, the record is in the file. */
  append(event, fields = {}) {
    const body = { seq: ++this.seq, ts: new Date().toISOString(), event, ...fields, prev: this.prev };
    const hash = digest(this.prev, body);
    appendFileSync(this.path, `${JSON.stringify({ ...body, hash })}\n`, { mode: 0o600 });
    this.prev = hash;
    return hash;
  }
}

/** Checks the whole chain: `{ ok, records, last }`, or `{ ok: false, line, reason }` at the first bad line. */
export function verifyAuditLog(path) {
  let prev = GENESIS;
  const lines = readFileSync(path, 'utf8').split('\n');
  if (lines.at(-1) === '') lines.pop();
  for (const [i, line] of lines.entries()) {
    let rec;
    try {
      rec = JSON.parse(line);
    } catch {
      return { ok: false, line: i + 1, reason: 'not JSON' };
    }
    const { hash, ...body } = rec;
    if (body.prev !== prev) return { ok: false, line: i + 1, reason: 'previous hash does not match' };
    if (body.seq !== i + 1)
      return { ok: false, line: i + 1, reason: `sequence ${body.seq}, expected ${i + 1}` };
    if (digest(prev, body) !== hash) return { ok: false, line: i + 1, reason: 'record hash does not match' };
    prev = hash;
  }
  return { ok: true, records: lines.length, last: prev };
}
