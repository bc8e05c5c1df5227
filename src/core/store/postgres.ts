import { createHash } from 'node:crypto';
import type { Pool, PoolClient, QueryResult } from 'pg';
import { storeError } from './errors.js';
import { migrate } from './migrate.js';
import { bindValues, toPgPlaceholders, type SqlValue } from './sql.js';
import type { Migration, Queryable, RunResult, Store, TransactionOptions } from './types.js';

type Target = Pool | PoolClient;

// SQLSTATE classes that mean "the server or the connection is gone": retry later, answer 503.
const UNAVAILABLE = /^(08|53|57P0[1-4])/;
const UNAVAILABLE_ERRNO = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENOTFOUND',
]);

function mapError(e: unknown): Error {
  const code = (e as { code?: unknown }).code;
  const msg = (e as Error).message;
  if (typeof code === 'string') {
    if (code === '23505' || code === '23503' || code === '23514' || code === '23502')
      return storeError('STORE_CONFLICT', msg, e);
    if (UNAVAILABLE.test(code) || UNAVAILABLE_ERRNO.has(code))
      return storeError('STORE_UNAVAILABLE', `PostgreSQL unavailable: ${msg}`, e);
  }
  if (
    /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|not queryable/i.test(
      msg,
    )
  )
    return storeError('STORE_UNAVAILABLE', `PostgreSQL unavailable: ${msg}`, e);
  return storeError('STORE_QUERY_FAILED', msg, e);
}

const isRetryable = (e: unknown): boolean => {
  const code = ((e as { cause?: { code?: unknown } }).cause ?? (e as { code?: unknown })).code;
  return code === '40001' || code === '40P01';
};

/** A signed 64-bit advisory-lock key from a lock name (stable across processes and versions). */
export function lockKey(name: string): string {
  return createHash('sha256').update(name).digest().readBigInt64BE(0).toString();
}

async function query(t: Target, sql: string, params: readonly SqlValue[] = []): Promise<QueryResult> {
  try {
    return await t.query(toPgPlaceholders(sql), bindValues(params));
  } catch (e) {
    throw mapError(e);
  }
}

class PgQueryable implements Queryable {
  readonly dialect = 'postgres' as const;
  constructor(protected readonly target: Target) {}
  async get<T>(sql: string, params?: readonly SqlValue[]) {
    return (await query(this.target, sql, params)).rows[0] as T | undefined;
  }
  async all<T>(sql: string, params?: readonly SqlValue[]) {
    return (await query(this.target, sql, params)).rows as T[];
  }
  async run(sql: string, params?: readonly SqlValue[]): Promise<RunResult> {
    return { changes: (await query(this.target, sql, params)).rowCount ?? 0 };
  }
  async exec(sql: string) {
    try {
      await this.target.query(sql);
    } catch (e) {
      throw mapError(e);
    }
  }
}

/** Options of a PostgreSQL store. */
export interface PostgresOptions {
  connectionString: string;
  schema?: string;
  /** Connections in the pool (default 8). */
  max?: number;
  /** How long to wait for a connection before answering STORE_UNAVAILABLE (default 5000 ms). */
  connectTimeoutMs?: number;
}

/**
 * PostgreSQL through a `pg` pool. Transactions run SERIALIZABLE and are retried with jittered back-off on
 * serialization failures and deadlocks; a named lock is an advisory lock held around the transaction. BIGINT and
 * NUMERIC come back as numbers, as SQLite returns them. A lost server is STORE_UNAVAILABLE, never a crash.
 */
export class PostgresStore extends PgQueryable implements Store {
  private constructor(private readonly pool: Pool) {
    super(pool);
  }

  static async open(opts: PostgresOptions): Promise<PostgresStore> {
    const pg = (await import('pg')).default;
    // BIGINT (20) and NUMERIC (1700) as numbers, like SQLite; every other type as pg parses it.
    const parseNumber = (v: string): number => Number(v);
    const getTypeParser = ((oid: number, format?: 'text') =>
      oid === 20 || oid === 1700
        ? parseNumber
        : (pg.types.getTypeParser(oid, format) as unknown)) as typeof pg.types.getTypeParser;
    const types = { getTypeParser };
    const pool = new pg.Pool({
      connectionString: opts.connectionString,
      max: opts.max ?? 8,
      connectionTimeoutMillis: opts.connectTimeoutMs ?? 5000,
      idleTimeoutMillis: 30_000,
      types,
      ...(opts.schema ? { options: `-c search_path=${opts.schema}` } : {}),
    });
    // An idle connection dropped by the server must not take the process down; the next query reconnects.
    pool.on('error', () => {});
    const store = new PostgresStore(pool);
    try {
      if (opts.schema) await store.exec(`CREATE SCHEMA IF NOT EXISTS "${opts.schema}"`);
      else await store.ping();
    } catch (e) {
      await pool.end().catch(() => {});
      throw e;
    }
    return store;
  }

  async transaction<T>(fn: (tx: Queryable) => Promise<T>, opts: TransactionOptions = {}): Promise<T> {
    const attempts = Math.max(1, opts.retries ?? 8);
    for (let attempt = 1; ; attempt++) {
      let client: PoolClient;
      try {
        client = await this.pool.connect();
      } catch (e) {
        throw mapError(e);
      }
      let broken = false;
      const onError = (): void => void (broken = true);
      client.on('error', onError);
      try {
        // The lock is taken before BEGIN: a serializable snapshot starts at the first statement, and it
        // must see what the previous holder committed.
        if (opts.lock) await query(client, 'SELECT pg_advisory_lock(?::bigint)', [lockKey(opts.lock)]);
        await query(client, 'BEGIN ISOLATION LEVEL SERIALIZABLE');
        const value = await fn(new PgQueryable(client));
        await query(client, 'COMMIT');
        return value;
      } catch (e) {
        await client.query('ROLLBACK').catch(() => (broken = true));
        if (attempt < attempts && isRetryable(e)) {
          await new Promise((r) => setTimeout(r, Math.random() * 5 * 2 ** Math.min(attempt, 6)));
          continue;
        }
        throw e;
      } finally {
        if (opts.lock && !broken)
          await client
            .query('SELECT pg_advisory_unlock($1::bigint)', [lockKey(opts.lock)])
            .catch(() => (broken = true));
        client.off('error', onError);
        client.release(broken);
      }
    }
  }

  migrate(domain: string, migrations: readonly Migration[]): Promise<number[]> {
    return migrate(this, domain, migrations);
  }

  async ping(): Promise<void> {
    await this.get('SELECT 1 AS ok');
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
