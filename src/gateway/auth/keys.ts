import { createHash, randomBytes } from 'node:crypto';
import type { Store } from '../../core/store/index.js';
import { gatewayError } from '../errors.js';
import { isRole, type Principal, type Role } from '../rbac.js';

/** An API key's record; the key itself is shown once at creation and stored only as a hash. */
export interface ApiKeyInfo {
  id: string;
  principal: string;
  role: Role;
  createdAt: string;
  revokedAt: string | null;
}

interface Row {
  id: string;
  principal: string;
  role: string;
  created_at: string;
  revoked_at: string | null;
}

const PREFIX = 'wdn_';

/**
 * SHA-256 of the whole key. Keys carry 256 random bits, so a fast hash is enough: there is nothing to
 * brute-force, and the lookup stays cheap on every request.
 */
export function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

const toInfo = (r: Row): ApiKeyInfo => ({
  id: r.id,
  principal: r.principal,
  role: r.role as Role,
  createdAt: r.created_at,
  revokedAt: r.revoked_at,
});

/** API keys in the store, with a short-lived lookup cache so that a request costs no query. */
export class ApiKeys {
  private readonly cache = new Map<string, { p: Principal | null; at: number }>();

  /** `cacheMs` bounds how long a revoked key may still pass on another replica (0: always ask the store). */
  constructor(
    private readonly store: Store,
    private readonly cacheMs = 1000,
  ) {}

  async create(principal: string, role: string): Promise<{ key: string; info: ApiKeyInfo }> {
    if (!isRole(role)) throw gatewayError('GATEWAY_CONFIG_INVALID', `unknown role "${role}"`);
    if (!/^[\w.@:/-]{1,128}$/.test(principal))
      throw gatewayError('GATEWAY_CONFIG_INVALID', `principal "${principal}" must be 1-128 word characters`);
    const id = `key_${randomBytes(6).toString('hex')}`;
    const key = `${PREFIX}${randomBytes(32).toString('base64url')}`;
    const createdAt = new Date().toISOString();
    await this.store.run(
      'INSERT INTO gateway_api_keys (id, hash, principal, role, created_at) VALUES (?, ?, ?, ?, ?)',
      [id, hashKey(key), principal, role, createdAt],
    );
    return { key, info: { id, principal, role, createdAt, revokedAt: null } };
  }

  /** Revokes by key id (or by the key itself); GATEWAY_KEY_NOT_FOUND when there is no such active key. */
  async revoke(idOrKey: string): Promise<ApiKeyInfo> {
    const byKey = idOrKey.startsWith(PREFIX);
    const where = byKey ? 'hash = ?' : 'id = ?';
    const arg = byKey ? hashKey(idOrKey) : idOrKey;
    const row = await this.store.get<Row>(
      `UPDATE gateway_api_keys SET revoked_at = ? WHERE ${where} AND revoked_at IS NULL ` +
        'RETURNING id, principal, role, created_at, revoked_at',
      [new Date().toISOString(), arg],
    );
    if (!row)
      throw gatewayError('GATEWAY_KEY_NOT_FOUND', `no active API key ${byKey ? '(given key)' : idOrKey}`);
    this.cache.clear();
    return toInfo(row);
  }

  async list(): Promise<ApiKeyInfo[]> {
    const rows = await this.store.all<Row>(
      'SELECT id, principal, role, created_at, revoked_at FROM gateway_api_keys ORDER BY created_at, id',
    );
    return rows.map(toInfo);
  }

  /** The cached answer of `lookup` while it is fresh, without a promise; undefined when the store must be asked. */
  cached(key: string): Principal | null | undefined {
    // cached by the presented key itself, so that a hit costs no hash; it lives only in this process
    const hit = this.cache.get(key);
    return hit && Date.now() - hit.at < this.cacheMs ? hit.p : undefined;
  }

  /** The principal behind a presented key, or null for an unknown or revoked one. */
  async lookup(key: string): Promise<Principal | null> {
    if (!key.startsWith(PREFIX) || key.length > 128) return null;
    const now = Date.now();
    const hit = this.cached(key);
    if (hit !== undefined) return hit;
    const h = hashKey(key);
    const row = await this.store.get<Row>(
      'SELECT id, principal, role, created_at, revoked_at FROM gateway_api_keys WHERE hash = ?',
      [h],
    );
    const p: Principal | null =
      row && row.revoked_at === null && isRole(row.role)
        ? { id: row.principal, roles: [row.role], via: 'api-key' }
        : null;
    if (this.cacheMs > 0) {
      if (this.cache.size > 10_000) this.cache.clear();
      this.cache.set(key, { p, at: now });
    }
    return p;
  }
}
