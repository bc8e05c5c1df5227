/** A value a statement can bind: booleans become 1/0 and Dates ISO strings, the same on both dialects. */
export type SqlValue = string | number | bigint | boolean | null | undefined | Buffer | Uint8Array | Date;

const cache = new Map<string, string>();

/**
 * Rewrites `?` placeholders to PostgreSQL's `$1, $2, ...`, leaving question marks inside quoted strings,
 * quoted identifiers and comments alone. Results are memoised: statements are a small fixed set.
 */
export function toPgPlaceholders(sql: string): string {
  const hit = cache.get(sql);
  if (hit !== undefined) return hit;
  let out = '';
  let n = 0;
  for (let i = 0; i < sql.length; i++) {
    const c = sql[i];
    if (c === "'" || c === '"') {
      const end = closing(sql, i, c);
      out += sql.slice(i, end);
      i = end - 1;
    } else if (c === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      const stop = end < 0 ? sql.length : end;
      out += sql.slice(i, stop);
      i = stop - 1;
    } else if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      const stop = end < 0 ? sql.length : end + 2;
      out += sql.slice(i, stop);
      i = stop - 1;
    } else if (c === '?') out += `$${++n}`;
    else out += c;
  }
  if (cache.size < 4096) cache.set(sql, out);
  return out;
}

// Index just past the quote closing the one at `start`; a doubled quote is an escaped one.
function closing(sql: string, start: number, q: string): number {
  let i = start + 1;
  while (i < sql.length) {
    if (sql[i] === q) {
      if (sql[i + 1] === q) i += 2;
      else return i + 1;
    } else i++;
  }
  return sql.length;
}

/** Normalises bound values so that both drivers store the same thing. */
export function bindValues(params: readonly SqlValue[]): unknown[] {
  return params.map((v) => {
    if (v === undefined) return null;
    if (typeof v === 'boolean') return v ? 1 : 0;
    if (v instanceof Date) return v.toISOString();
    if (v instanceof Uint8Array && !Buffer.isBuffer(v)) return Buffer.from(v.buffer, v.byteOffset, v.length);
    return v;
  });
}
