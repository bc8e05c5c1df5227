import { storeError } from './errors.js';
import type { Migration, Store } from './types.js';

const TABLE = 'warden_migrations';

/** Checks a domain's migration list: positive integer versions, strictly increasing, named. */
export function checkMigrations(domain: string, migrations: readonly Migration[]): void {
  if (!/^[a-z][a-z0-9_-]{0,63}$/.test(domain))
    throw storeError(
      'STORE_MIGRATION_INVALID',
      `migration domain "${domain}" must be a short lowercase name`,
    );
  let last = 0;
  for (const m of migrations) {
    if (!Number.isSafeInteger(m.version) || m.version <= last)
      throw storeError(
        'STORE_MIGRATION_INVALID',
        `${domain}: migration versions must be increasing positive integers (got ${m.version} after ${last})`,
      );
    if (!m.name) throw storeError('STORE_MIGRATION_INVALID', `${domain}: migration ${m.version} has no name`);
    last = m.version;
  }
}

/**
 * Applies a domain's pending migrations in one transaction under a named lock, recording each in
 * `warden_migrations` (domain, version, name, applied_at). Already applied versions are skipped, so it is
 * idempotent and safe to call from every process at start-up. Returns the versions it applied.
 */
export async function migrate(
  store: Store,
  domain: string,
  migrations: readonly Migration[],
): Promise<number[]> {
  checkMigrations(domain, migrations);
  return store.transaction(
    async (tx) => {
      await tx.exec(
        `CREATE TABLE IF NOT EXISTS ${TABLE} (domain TEXT NOT NULL, version INTEGER NOT NULL, name TEXT NOT NULL, ` +
          'applied_at TEXT NOT NULL, PRIMARY KEY (domain, version))',
      );
      const rows = await tx.all<{ version: number; name: string }>(
        `SELECT version, name FROM ${TABLE} WHERE domain = ?`,
        [domain],
      );
      const applied = new Map(rows.map((r) => [Number(r.version), r.name]));
      const done: number[] = [];
      for (const m of migrations) {
        const name = applied.get(m.version);
        if (name !== undefined) {
          if (name !== m.name)
            throw storeError(
              'STORE_MIGRATION_INVALID',
              `${domain}: migration ${m.version} was applied as "${name}", the code calls it "${m.name}"`,
            );
          continue;
        }
        await tx.exec(typeof m.sql === 'string' ? m.sql : m.sql[tx.dialect]);
        await tx.run(`INSERT INTO ${TABLE} (domain, version, name, applied_at) VALUES (?, ?, ?, ?)`, [
          domain,
          m.version,
          m.name,
          new Date().toISOString(),
        ]);
        done.push(m.version);
      }
      return done;
    },
    { lock: `warden-migrations` },
  );
}
