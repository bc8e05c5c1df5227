import { openStore, type Migration, type Store } from '../core/store/index.js';

/** The gateway's tables, on SQLite and PostgreSQL alike (domain `gateway` in warden_migrations). */
export const GATEWAY_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'api keys and audit chain',
    sql: `
      CREATE TABLE gateway_api_keys (
        id TEXT PRIMARY KEY,
        hash TEXT NOT NULL UNIQUE,
        principal TEXT NOT NULL,
        role TEXT NOT NULL,
        created_at TEXT NOT NULL,
        revoked_at TEXT
      );
      CREATE TABLE gateway_audit (
        seq BIGINT PRIMARY KEY,
        ts TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        resource TEXT NOT NULL,
        decision TEXT NOT NULL,
        status INTEGER NOT NULL,
        detail TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
      );`,
  },
];

/** Opens a store with the gateway's tables migrated (the server, the admin commands and tests all need both). */
export async function openGatewayStore(url: string): Promise<Store> {
  const store = await openStore(url);
  try {
    await store.migrate('gateway', GATEWAY_MIGRATIONS);
  } catch (e) {
    await store.close();
    throw e;
  }
  return store;
}
