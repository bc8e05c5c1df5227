import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isWardenError } from '../errors.js';
import { openStore, type Migration, type Store } from './index.js';
import { pgTestUrl } from './testing.js';

const dir = mkdtempSync(join(tmpdir(), 'warden-store-'));
const pg = pgTestUrl('store_test');
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await pg.drop();
});

const codeOf = async (p: Promise<unknown>): Promise<string | undefined> => {
  try {
    await p;
  } catch (e) {
    return isWardenError(e) ? e.code : `untyped: ${String(e)}`;
  }
  return undefined;
};

const ID = {
  sqlite: 'INTEGER PRIMARY KEY AUTOINCREMENT',
  postgres: 'BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY',
};
const MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'items',
    sql: {
      sqlite: `CREATE TABLE items (id ${ID.sqlite}, name TEXT NOT NULL UNIQUE, n BIGINT, flag INTEGER, data BLOB)`,
      postgres: `CREATE TABLE items (id ${ID.postgres}, name TEXT NOT NULL UNIQUE, n BIGINT, flag INTEGER, data BYTEA)`,
    },
  },
  { version: 2, name: 'counter', sql: 'CREATE TABLE counter (k TEXT PRIMARY KEY, v INTEGER NOT NULL);' },
];

// The same contract on both dialects: what the gateway and the registry rely on.
describe.each([
  ['sqlite', () => `sqlite:${join(dir, 'nested', 'a.db')}`],
  ['postgres', () => pg.url],
])('store contract (%s)', (_name, url) => {
  let store: Store;
  beforeAll(async () => {
    store = await openStore(url());
  });
  afterAll(async () => {
    await store.close();
  });

  it('migrates once, in order, and records the versions', async () => {
    expect(await store.migrate('test', MIGRATIONS)).toEqual([1, 2]);
    expect(await store.migrate('test', MIGRATIONS)).toEqual([]);
    const more = [...MIGRATIONS, { version: 5, name: 'idx', sql: 'CREATE INDEX items_n ON items (n)' }];
    expect(await store.migrate('test', more)).toEqual([5]);
    const rows = await store.all<{ version: number }>(
      'SELECT version FROM warden_migrations WHERE domain = ? ORDER BY version',
      ['test'],
    );
    expect(rows.map((r) => r.version)).toEqual([1, 2, 5]);
    const renamed = [{ ...MIGRATIONS[0]!, name: 'other' }];
    expect(await codeOf(store.migrate('test', renamed))).toBe('STORE_MIGRATION_INVALID');
    const unordered = [MIGRATIONS[1]!, MIGRATIONS[0]!];
    expect(await codeOf(store.migrate('test2', unordered))).toBe('STORE_MIGRATION_INVALID');
    // a failing migration applies nothing of its batch
    const broken = [
      { version: 1, name: 'ok', sql: 'CREATE TABLE t2 (a INTEGER)' },
      { version: 2, name: 'bad', sql: 'CREATE TABLE nonsense (' },
    ];
    expect(await codeOf(store.migrate('test3', broken))).toBe('STORE_QUERY_FAILED');
    expect(await store.all('SELECT * FROM warden_migrations WHERE domain = ?', ['test3'])).toEqual([]);
  });

  it('round-trips values with ? placeholders and RETURNING', async () => {
    const row = await store.get<{ id: number }>(
      'INSERT INTO items (name, n, flag, data) VALUES (?, ?, ?, ?) RETURNING id',
      ['a?', 2 ** 40, true, Buffer.from([0, 255])],
    );
    expect(typeof row?.id).toBe('number');
    const got = await store.get<{ name: string; n: number; flag: number; data: Buffer }>(
      "SELECT name, n, flag, data FROM items WHERE id = ? AND name <> '?'",
      [row!.id],
    );
    expect(got).toEqual({ name: 'a?', n: 2 ** 40, flag: 1, data: Buffer.from([0, 255]) });
    expect(await store.get('SELECT * FROM items WHERE id = ?', [-1])).toBeUndefined();
    expect((await store.run('UPDATE items SET n = n + 1 WHERE name = ?', ['a?'])).changes).toBe(1);
    expect(await codeOf(store.run('INSERT INTO items (name) VALUES (?)', ['a?']))).toBe('STORE_CONFLICT');
    expect(await codeOf(store.run('SELECT * FROM no_such_table'))).toBe('STORE_QUERY_FAILED');
  });

  it('rolls a failed transaction back and commits a good one', async () => {
    await expect(
      store.transaction(async (tx) => {
        await tx.run('INSERT INTO items (name) VALUES (?)', ['rolled-back']);
        throw new Error('no');
      }),
    ).rejects.toThrow('no');
    expect(await store.get('SELECT * FROM items WHERE name = ?', ['rolled-back'])).toBeUndefined();
    const id = await store.transaction(async (tx) => {
      const r = await tx.get<{ id: number }>('INSERT INTO items (name) VALUES (?) RETURNING id', ['kept']);
      return r!.id;
    });
    expect(await store.get('SELECT name FROM items WHERE id = ?', [id])).toEqual({ name: 'kept' });
  });

  it('serialises read-modify-write transactions, with and without a named lock', async () => {
    await store.run('INSERT INTO counter (k, v) VALUES (?, 0), (?, 0)', ['plain', 'locked']);
    const bump = (k: string, lock?: string) =>
      store.transaction(
        async (tx) => {
          const r = await tx.get<{ v: number }>('SELECT v FROM counter WHERE k = ?', [k]);
          await new Promise((res) => setImmediate(res));
          await tx.run('UPDATE counter SET v = ? WHERE k = ?', [r!.v + 1, k]);
        },
        { retries: 100, ...(lock ? { lock } : {}) },
      );
    await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? bump('plain') : bump('locked', 'ctr'))));
    const rows = await store.all<{ k: string; v: number }>('SELECT k, v FROM counter ORDER BY k');
    expect(rows).toEqual([
      { k: 'locked', v: 20 },
      { k: 'plain', v: 20 },
    ]);
  });

  it('lets plain queries wait for an open transaction instead of joining it', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const tx = store.transaction(async (t) => {
      await t.run('INSERT INTO items (name) VALUES (?)', ['in-tx']);
      await gate;
      throw new Error('abort');
    });
    const outside = store.run('INSERT INTO items (name) VALUES (?)', ['outside']);
    release();
    await expect(tx).rejects.toThrow('abort');
    await outside;
    expect(await store.get('SELECT name FROM items WHERE name = ?', ['in-tx'])).toBeUndefined();
    expect(await store.get('SELECT name FROM items WHERE name = ?', ['outside'])).toEqual({
      name: 'outside',
    });
  });
});

describe('store connections', () => {
  it('two PostgreSQL stores migrating at once apply each migration once', async () => {
    const a = await openStore(pg.url);
    const b = await openStore(pg.url);
    const m: Migration[] = [{ version: 1, name: 'race', sql: 'CREATE TABLE race (a INTEGER)' }];
    const [x, y] = await Promise.all([a.migrate('race', m), b.migrate('race', m)]);
    expect([...x, ...y]).toEqual([1]);
    await Promise.all([a.close(), b.close()]);
  });

  it('an unreachable PostgreSQL is STORE_UNAVAILABLE, not a crash or a hang', async () => {
    const code = await codeOf(openStore('postgres://postgres@127.0.0.1:1/test', { timeoutMs: 2000 }));
    expect(code).toBe('STORE_UNAVAILABLE');
  });

  it('an unopenable SQLite path is STORE_UNAVAILABLE, a NUL byte STORE_URL_INVALID', async () => {
    writeFileSync(join(dir, 'plain-file'), 'x');
    expect(await codeOf(openStore(`sqlite:${join(dir, 'plain-file', 'x.db')}`))).toBe('STORE_UNAVAILABLE');
    expect(await codeOf(openStore(`sqlite:${dir}/a\0b.db`))).toBe('STORE_URL_INVALID');
  });
});
