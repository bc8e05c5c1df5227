import { randomBytes } from 'node:crypto';
import { openStore } from './open.js';

/** The PostgreSQL that tests use (the machine's and CI's); WARDEN_TEST_PG overrides it. */
export const TEST_PG = process.env.WARDEN_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A fresh schema name for one test file, so parallel files never see each other's tables. */
export function testSchema(prefix: string): string {
  return `${prefix}_${randomBytes(5).toString('hex')}`.toLowerCase();
}

/** A store URL in its own PostgreSQL schema, and the function that drops that schema afterwards. */
export function pgTestUrl(prefix: string): { url: string; schema: string; drop: () => Promise<void> } {
  const schema = testSchema(prefix);
  return {
    url: `${TEST_PG}?schema=${schema}`,
    schema,
    drop: async () => {
      const s = await openStore(TEST_PG);
      try {
        await s.exec(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await s.close();
      }
    },
  };
}
