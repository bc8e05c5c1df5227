export * from './errors.js';
export * from './types.js';
export { parseStoreUrl, redact, type StoreLocation } from './url.js';
export { toPgPlaceholders, type SqlValue } from './sql.js';
export { checkMigrations } from './migrate.js';
export { openStore, type OpenStoreOptions } from './open.js';
