import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { gatewayError } from '../errors.js';
import { isRole, type Principal, type Role } from '../rbac.js';
import type { ApiKeys } from './keys.js';
import type { JwtAuthenticator } from './jwt.js';

export { ApiKeys, hashKey, type ApiKeyInfo } from './keys.js';
export { JwtAuthenticator, type JwtOptions } from './jwt.js';

/** The authentication stage: who may present what. */
export interface Authenticators {
  keys?: ApiKeys;
  jwt?: JwtAuthenticator;
  /** Client-certificate subject CN -> role, for callers authenticated by mutual TLS alone. */
  mtlsRoles?: Record<string, Role>;
}

/**
 * The principal of a request whose API key is in the lookup cache, without a promise (the common case
 * under load); undefined for everything else, which `authenticate` then decides.
 */
export function authenticateCached(req: IncomingMessage, auth: Authenticators): Principal | undefined {
  const header = req.headers.authorization;
  if (header === undefined || !auth.keys || !header.startsWith('Bearer wdn_')) return undefined;
  const token = header.slice(7);
  if (token.length > 128 || /\s/.test(token)) return undefined;
  return auth.keys.cached(token) ?? undefined;
}

/**
 * Establishes the principal: a Bearer API key (`wdn_...`) or JWT, else a verified client certificate whose
 * CN is mapped to a role. Anything else is GATEWAY_UNAUTHENTICATED (401); nothing is guessed.
 */
export async function authenticate(req: IncomingMessage, auth: Authenticators): Promise<Principal> {
  const header = req.headers.authorization;
  if (header !== undefined) {
    const m = /^Bearer\s+(\S{1,8192})\s*$/i.exec(header);
    if (!m) throw gatewayError('GATEWAY_UNAUTHENTICATED', 'Authorization must be "Bearer <token>"');
    const token = m[1]!;
    if (token.startsWith('wdn_')) {
      const p = auth.keys ? await auth.keys.lookup(token) : null;
      if (!p) throw gatewayError('GATEWAY_UNAUTHENTICATED', 'API key is unknown or revoked');
      return p;
    }
    if (auth.jwt && token.split('.').length === 3) return auth.jwt.authenticate(token);
    throw gatewayError('GATEWAY_UNAUTHENTICATED', 'bearer token is not an API key or an accepted JWT');
  }
  const socket = req.socket as Partial<TLSSocket>;
  if (auth.mtlsRoles && socket.authorized && typeof socket.getPeerCertificate === 'function') {
    const cn = socket.getPeerCertificate().subject?.CN;
    const name = Array.isArray(cn) ? cn[0] : cn;
    const role = name !== undefined ? auth.mtlsRoles[name] : undefined;
    if (name && role && isRole(role)) return { id: `cn:${name}`, roles: [role], via: 'mtls' };
  }
  throw gatewayError(
    'GATEWAY_UNAUTHENTICATED',
    'authentication required: send Authorization: Bearer <key or JWT>',
  );
}
