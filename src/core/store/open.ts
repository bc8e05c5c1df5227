import { PostgresStore } from './postgres.js';
import { SqliteStore } from './sqlite.js';
import type { Store } from './types.js';
import { parseStoreUrl } from './url.js';

/** Options of `openStore`. */
export interface OpenStoreOptions {
  /** PostgreSQL pool size (default 8). */
  maxConnections?: number;
  /** PostgreSQL: wait for a connection this long; SQLite: wait for a writer's lock this long (default 5000). */
  timeoutMs?: number;
}

/**
 * Opens a store from a URL: `sqlite:PATH` (created with its folder; `sqlite::memory:` for a private one) or
 * `postgres://user@host:port/db[?schema=NAME]`. A bad URL is STORE_URL_INVALID; an unreachable database
 * STORE_UNAVAILABLE. Drivers are loaded only for the dialect used.
 */
export async function openStore(url: string, opts: OpenStoreOptions = {}): Promise<Store> {
  const loc = parseStoreUrl(url);
  if (loc.dialect === 'sqlite') return SqliteStore.open(loc.path, opts.timeoutMs);
  return PostgresStore.open({
    connectionString: loc.connectionString,
    ...(loc.schema ? { schema: loc.schema } : {}),
    ...(opts.maxConnections ? { max: opts.maxConnections } : {}),
    ...(opts.timeoutMs ? { connectTimeoutMs: opts.timeoutMs } : {}),
  });
}
