import { storeError } from './errors.js';

/** Where a store lives, parsed from `sqlite:PATH` or `postgres://user@host:port/db?schema=NAME`. */
export type StoreLocation =
  { dialect: 'sqlite'; path: string } | { dialect: 'postgres'; connectionString: string; schema?: string };

const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/**
 * Parses a store URL. `sqlite:PATH` (also `sqlite://PATH`, `sqlite::memory:`) and `postgres://` or
 * `postgresql://` URLs are accepted; the Warden-only `schema` query parameter selects (and creates) a
 * PostgreSQL schema, so several tenants or test files can share one database.
 */
export function parseStoreUrl(url: string): StoreLocation {
  if (url.startsWith('sqlite:')) {
    let path = url.slice('sqlite:'.length);
    if (path.startsWith('//')) path = path.slice(2);
    if (path === '') throw storeError('STORE_URL_INVALID', `store URL "${url}" has no path: use sqlite:PATH`);
    if (path.includes('\0')) throw storeError('STORE_URL_INVALID', 'store path contains a NUL byte');
    return { dialect: 'sqlite', path };
  }
  if (/^postgres(ql)?:\/\//.test(url)) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw storeError('STORE_URL_INVALID', `store URL is not a valid URL: ${redact(url)}`);
    }
    if (!parsed.hostname && !parsed.searchParams.get('host'))
      throw storeError('STORE_URL_INVALID', `store URL has no host: ${redact(url)}`);
    const schema = parsed.searchParams.get('schema') ?? undefined;
    parsed.searchParams.delete('schema');
    if (schema !== undefined && !SCHEMA_NAME.test(schema))
      throw storeError('STORE_URL_INVALID', `schema "${schema}" must be a plain SQL identifier`);
    return { dialect: 'postgres', connectionString: parsed.toString(), ...(schema ? { schema } : {}) };
  }
  throw storeError(
    'STORE_URL_INVALID',
    `unsupported store URL "${redact(url)}": use sqlite:PATH or postgres://user@host:port/db`,
  );
}

/** The URL with any password masked, for messages and logs. */
export function redact(url: string): string {
  return url.replace(/(\/\/[^:/@]*:)[^@/]*@/, '$1***@');
}
