import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair, type CryptoKey } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isWardenError } from '../../core/index.js';
import { freePort } from '../testing.js';
import { JwtAuthenticator } from './jwt.js';

// An OIDC-style JWKS endpoint served by the test, as an identity provider would publish it.
let server: Server;
let jwksUrl: string;
let signer: CryptoKey;
const opts = {
  issuer: 'https://idp.test',
  audience: 'warden',
  roleMap: { 'ml-team': 'ml_engineer', auditors: 'auditor' } as const,
};

const token = (claims: Record<string, unknown>, aud = 'warden') =>
  new SignJWT(claims)
    .setProtectedHeader({ alg: 'ES256', kid: 'a' })
    .setIssuer(opts.issuer)
    .setAudience(aud)
    .setSubject('erin')
    .setExpirationTime('2m')
    .sign(signer);

async function code(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
  } catch (e) {
    return isWardenError(e) ? e.code : String(e);
  }
  return undefined;
}

beforeAll(async () => {
  const pair = await generateKeyPair('ES256');
  signer = pair.privateKey;
  const jwks = JSON.stringify({ keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'a', alg: 'ES256' }] });
  server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(jwks));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
});
afterAll(() => new Promise((r) => server.close(r)));

describe('JwtAuthenticator', () => {
  it('maps nested and space-separated role claims through the role map only', async () => {
    const a = new JwtAuthenticator({ ...opts, jwksUrl, roleClaim: 'realm_access.roles' });
    const p = await a.authenticate(
      await token({ realm_access: { roles: ['ml-team', 'admin', 'auditors'] } }),
    );
    expect(p).toEqual({ id: 'erin', roles: ['ml_engineer', 'auditor'], via: 'jwt' });
    const b = new JwtAuthenticator({ ...opts, jwksUrl, roleClaim: 'scope' });
    expect((await b.authenticate(await token({ scope: 'openid admin ml-team' }))).roles).toEqual([
      'ml_engineer',
    ]);
  });

  it('refuses a wrong audience, a tampered token and a token without exp', async () => {
    const a = new JwtAuthenticator({ ...opts, jwksUrl });
    expect(await code(a.authenticate(await token({}, 'other')))).toBe('GATEWAY_UNAUTHENTICATED');
    const t = await token({ roles: ['ml-team'] });
    const [h, , s] = t.split('.');
    const forged = Buffer.from(
      JSON.stringify({ sub: 'erin', roles: ['auditors'], iss: opts.issuer, aud: 'warden', exp: 9e9 }),
    ).toString('base64url');
    expect(await code(a.authenticate(`${h}.${forged}.${s}`))).toBe('GATEWAY_UNAUTHENTICATED');
    const noExp = await new SignJWT({})
      .setProtectedHeader({ alg: 'ES256', kid: 'a' })
      .setIssuer(opts.issuer)
      .setAudience('warden')
      .setSubject('x')
      .sign(signer);
    expect(await code(a.authenticate(noExp))).toBe('GATEWAY_UNAUTHENTICATED');
  });

  it('an unreachable identity provider is 503, not 401', async () => {
    const a = new JwtAuthenticator({ ...opts, jwksUrl: `http://127.0.0.1:${await freePort()}/jwks` });
    expect(await code(a.authenticate(await token({})))).toBe('GATEWAY_UNAVAILABLE');
  });

  it('refuses a config with an unknown role or no key source', () => {
    expect(() => new JwtAuthenticator({ ...opts, roleMap: { x: 'root' as never }, jwksUrl })).toThrow(
      /unknown role/,
    );
    expect(() => new JwtAuthenticator(opts)).toThrow(/exactly one/);
  });
});
