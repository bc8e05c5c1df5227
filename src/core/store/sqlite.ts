import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { storeError } from './errors.js';
import { migrate } from './migrate.js';
import { bindValues, type SqlValue } from './sql.js';
import type { Migration, Queryable, RunResult, Store, TransactionOptions } from './types.js';

type Database = BetterSqlite3.Database;

/** Maps a better-sqlite3 error to a store error. */
function mapError(e: unknown): Error {
  const code = (e as { code?: unknown }).code;
  const msg = (e as Error).message;
  if (typeof code === 'string') {
    if (code.startsWith('SQLITE_CONSTRAINT')) return storeError('STORE_CONFLICT', msg, e);
    if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED')
      return storeError('STORE_BUSY', `database is locked: ${msg}`, e);
    if (
      ['SQLITE_CANTOPEN', 'SQLITE_IOERR', 'SQLITE_FULL', 'SQLITE_READONLY', 'SQLITE_CORRUPT'].some((c) =>
        code.startsWith(c),
      )
    )
      return storeError('STORE_UNAVAILABLE', `database unusable: ${msg}`, e);
  }
  return storeError('STORE_QUERY_FAILED', msg, e);
}

/** Direct access to one connection; used by the store itself and, inside a transaction, by `fn`. */
class Conn implements Queryable {
  readonly dialect = 'sqlite' as const;
  private readonly stmts = new Map<string, BetterSqlite3.Statement>();
  constructor(readonly db: Database) {}

  private prepare(sql: string): BetterSqlite3.Statement {
    let s = this.stmts.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      if (this.stmts.size < 512) this.stmts.set(sql, s);
    }
    return s;
  }

  getSync<T>(sql: string, params: readonly SqlValue[] = []): T | undefined {
    try {
      return this.prepare(sql).get(...bindValues(params)) as T | undefined;
    } catch (e) {
      throw mapError(e);
    }
  }
  allSync<T>(sql: string, params: readonly SqlValue[] = []): T[] {
    try {
      return this.prepare(sql).all(...bindValues(params)) as T[];
    } catch (e) {
      throw mapError(e);
    }
  }
  runSync(sql: string, params: readonly SqlValue[] = []): RunResult {
    try {
      const s = this.prepare(sql);
      if (s.reader) return { changes: s.all(...bindValues(params)).length };
      return { changes: s.run(...bindValues(params)).changes };
    } catch (e) {
      throw mapError(e);
    }
  }
  execSync(sql: string): void {
    try {
      this.db.exec(sql);
    } catch (e) {
      throw mapError(e);
    }
  }
  get<T>(sql: string, params?: readonly SqlValue[]) {
    return Promise.resolve(this.getSync<T>(sql, params));
  }
  all<T>(sql: string, params?: readonly SqlValue[]) {
    return Promise.resolve(this.allSync<T>(sql, params));
  }
  run(sql: string, params?: readonly SqlValue[]) {
    return Promise.resolve(this.runSync(sql, params));
  }
  exec(sql: string) {
    this.execSync(sql);
    return Promise.resolve();
  }
}

/**
 * SQLite through better-sqlite3: one connection in WAL mode. Statements run synchronously; while an async
 * transaction is open, other callers queue behind it so nothing interleaves into it. BEGIN IMMEDIATE takes
 * the write lock up front, so transactions of several processes on one file serialise (busy_timeout waits).
 */
export class SqliteStore implements Store {
  readonly dialect = 'sqlite' as const;
  private readonly conn: Conn;
  private tail: Promise<void> = Promise.resolve();
  private inTx = false;

  private constructor(db: Database) {
    this.conn = new Conn(db);
  }

  static async open(path: string, busyTimeoutMs = 5000): Promise<SqliteStore> {
    const { default: Sqlite } = await import('better-sqlite3');
    let db: Database;
    try {
      if (path !== ':memory:' && !path.startsWith('file:')) mkdirSync(dirname(path), { recursive: true });
      db = new Sqlite(path);
      db.pragma('journal_mode = WAL');
      db.pragma(`busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`);
      db.pragma('synchronous = NORMAL');
      db.pragma('foreign_keys = ON');
    } catch (e) {
      throw storeError(
        'STORE_UNAVAILABLE',
        `cannot open SQLite database ${path}: ${(e as Error).message}`,
        e,
      );
    }
    return new SqliteStore(db);
  }

  // Outside a transaction a statement runs at once; inside one, it waits for the commit.
  private async whenIdle(): Promise<void> {
    while (this.inTx) await this.tail;
  }

  async get<T>(sql: string, params?: readonly SqlValue[]) {
    if (this.inTx) await this.whenIdle();
    return this.conn.getSync<T>(sql, params);
  }
  async all<T>(sql: string, params?: readonly SqlValue[]) {
    if (this.inTx) await this.whenIdle();
    return this.conn.allSync<T>(sql, params);
  }
  async run(sql: string, params?: readonly SqlValue[]) {
    if (this.inTx) await this.whenIdle();
    return this.conn.runSync(sql, params);
  }
  async exec(sql: string) {
    if (this.inTx) await this.whenIdle();
    this.conn.execSync(sql);
  }

  transaction<T>(fn: (tx: Queryable) => Promise<T>, _opts?: TransactionOptions): Promise<T> {
    const result = this.tail.then(async () => {
      this.inTx = true;
      try {
        this.conn.execSync('BEGIN IMMEDIATE');
        try {
          const value = await fn(this.conn);
          this.conn.execSync('COMMIT');
          return value;
        } catch (e) {
          if (this.conn.db.inTransaction) this.conn.db.exec('ROLLBACK');
          throw e;
        }
      } finally {
        this.inTx = false;
      }
    });
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  migrate(domain: string, migrations: readonly Migration[]): Promise<number[]> {
    return migrate(this, domain, migrations);
  }

  async ping(): Promise<void> {
    await this.get('SELECT 1 AS ok');
  }

  async close(): Promise<void> {
    await this.tail;
    if (this.conn.db.open) this.conn.db.close();
  }
}
