import { readFileSync } from 'node:fs';
import { createLocalJWKSet, createRemoteJWKSet, errors, jwtVerify, type JWTPayload } from 'jose';
import { gatewayError } from '../errors.js';
import { isRole, type Principal, type Role } from '../rbac.js';

/** How JWTs are checked and turned into principals. */
export interface JwtOptions {
  /** Where the identity provider publishes its keys (an OIDC `jwks_uri`). */
  jwksUrl?: string;
  /** Or a JWKS JSON file on disk. */
  jwksFile?: string;
  issuer: string;
  audience: string | string[];
  /** Claim holding the caller's groups or roles: a dot path, a string or array of strings (default `roles`). */
  roleClaim?: string;
  /** Claim naming the principal (default `sub`). */
  principalClaim?: string;
  /** Claim value -> Warden role. Only mapped values count: an unmapped `admin` in a token grants nothing. */
  roleMap: Record<string, Role>;
  algorithms?: string[];
  clockToleranceSec?: number;
}

type KeySet = ReturnType<typeof createLocalJWKSet> | ReturnType<typeof createRemoteJWKSet>;

/** Verifies Bearer JWTs against a JWKS (signature, issuer, audience, expiry) and maps claims to roles. */
export class JwtAuthenticator {
  private readonly keys: KeySet;

  constructor(private readonly opts: JwtOptions) {
    if (!!opts.jwksUrl === !!opts.jwksFile)
      throw gatewayError('GATEWAY_CONFIG_INVALID', 'jwt needs exactly one of jwksUrl and jwksFile');
    for (const [claim, role] of Object.entries(opts.roleMap))
      if (!isRole(role))
        throw gatewayError('GATEWAY_CONFIG_INVALID', `jwt.roleMap.${claim}: unknown role "${String(role)}"`);
    if (opts.jwksFile) {
      let jwks: unknown;
      try {
        jwks = JSON.parse(readFileSync(opts.jwksFile, 'utf8'));
      } catch (e) {
        throw gatewayError(
          'GATEWAY_CONFIG_INVALID',
          `cannot read JWKS ${opts.jwksFile}: ${(e as Error).message}`,
        );
      }
      this.keys = createLocalJWKSet(jwks as Parameters<typeof createLocalJWKSet>[0]);
    } else {
      this.keys = createRemoteJWKSet(new URL(opts.jwksUrl!), {
        timeoutDuration: 3000,
        cooldownDuration: 30_000,
      });
    }
  }

  async authenticate(token: string): Promise<Principal> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.keys, {
        issuer: this.opts.issuer,
        audience: this.opts.audience,
        algorithms: this.opts.algorithms ?? ['RS256', 'ES256', 'PS256', 'EdDSA', 'ES384', 'RS384', 'RS512'],
        clockTolerance: this.opts.clockToleranceSec ?? 30,
        requiredClaims: ['exp'],
      }));
    } catch (e) {
      if (e instanceof errors.JWKSTimeout || e instanceof errors.JWKSInvalid || isFetchFailure(e))
        throw gatewayError(
          'GATEWAY_UNAVAILABLE',
          `identity provider keys unavailable: ${(e as Error).message}`,
          {
            cause: e,
          },
        );
      const why =
        e instanceof errors.JWTExpired
          ? 'token expired'
          : e instanceof errors.JWTClaimValidationFailed
            ? `claim "${e.claim}" rejected: ${e.reason}`
            : e instanceof errors.JOSEError
              ? e.code
              : 'invalid token';
      throw gatewayError('GATEWAY_UNAUTHENTICATED', `JWT refused: ${why}`, { cause: e });
    }
    const id = claim(payload, this.opts.principalClaim ?? 'sub');
    if (typeof id !== 'string' || id === '')
      throw gatewayError('GATEWAY_UNAUTHENTICATED', 'JWT refused: no principal claim');
    const raw = claim(payload, this.opts.roleClaim ?? 'roles');
    const values = typeof raw === 'string' ? raw.split(/[\s,]+/) : Array.isArray(raw) ? raw : [];
    const roles = new Set<Role>();
    for (const v of values)
      if (typeof v === 'string' && Object.hasOwn(this.opts.roleMap, v)) roles.add(this.opts.roleMap[v]!);
    return { id, roles: [...roles], via: 'jwt' };
  }
}

function isFetchFailure(e: unknown): boolean {
  return e instanceof TypeError || (e instanceof Error && /fetch failed|ECONNREFUSED/.test(e.message));
}

function claim(payload: JWTPayload, path: string): unknown {
  let v: unknown = payload;
  for (const part of path.split('.')) {
    if (typeof v !== 'object' || v === null || !Object.hasOwn(v, part)) return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}
