import { describe, expect, it } from 'vitest';
import { bindValues, toPgPlaceholders } from './sql.js';
import { parseStoreUrl, redact } from './url.js';
import { isWardenError } from '../errors.js';

describe('toPgPlaceholders', () => {
  it('numbers the placeholders outside literals, identifiers and comments', () => {
    expect(toPgPlaceholders('SELECT * FROM t WHERE a = ? AND b IN (?, ?)')).toBe(
      'SELECT * FROM t WHERE a = $1 AND b IN ($2, $3)',
    );
    expect(toPgPlaceholders(`SELECT '?', 'it''s ?', "col?" FROM t WHERE x = ?`)).toBe(
      `SELECT '?', 'it''s ?', "col?" FROM t WHERE x = $1`,
    );
    expect(toPgPlaceholders('SELECT 1 -- why?\n, ? /* or ? */ , ?')).toBe(
      'SELECT 1 -- why?\n, $1 /* or ? */ , $2',
    );
    expect(toPgPlaceholders(`SELECT 'unterminated ?`)).toBe(`SELECT 'unterminated ?`);
  });
});

describe('bindValues', () => {
  it('stores booleans, dates and byte arrays the same way on both dialects', () => {
    const d = new Date(Date.UTC(2024, 0, 2));
    const [t, f, date, u, bytes] = bindValues([true, false, d, undefined, new Uint8Array([1, 2])]);
    expect([t, f, date, u]).toEqual([1, 0, '2024-01-02T00:00:00.000Z', null]);
    expect(Buffer.isBuffer(bytes)).toBe(true);
  });
});

describe('parseStoreUrl', () => {
  it('reads sqlite paths and postgres URLs with a schema', () => {
    expect(parseStoreUrl('sqlite:./w.db')).toEqual({ dialect: 'sqlite', path: './w.db' });
    expect(parseStoreUrl('sqlite:///tmp/w.db')).toEqual({ dialect: 'sqlite', path: '/tmp/w.db' });
    expect(parseStoreUrl('sqlite::memory:')).toEqual({ dialect: 'sqlite', path: ':memory:' });
    const pg = parseStoreUrl('postgres://u:pw@db:5432/app?schema=tenant_1&sslmode=disable');
    expect(pg).toMatchObject({ dialect: 'postgres', schema: 'tenant_1' });
    expect(pg.dialect === 'postgres' && pg.connectionString).toBe(
      'postgres://u:pw@db:5432/app?sslmode=disable',
    );
  });

  it('refuses anything else with a typed usage error that hides passwords', () => {
    for (const bad of [
      'warden.db',
      'sqlite:',
      'mysql://x/y',
      'postgres://',
      'postgres://h/db?schema=a;drop',
      '',
    ]) {
      let err: unknown;
      try {
        parseStoreUrl(bad);
      } catch (e) {
        err = e;
      }
      expect(isWardenError(err) && err.code).toBe('STORE_URL_INVALID');
      expect(isWardenError(err) && err.kind).toBe('usage');
    }
    expect(redact('postgres://me:secret@h/db')).toBe('postgres://me:***@h/db');
  });
});
