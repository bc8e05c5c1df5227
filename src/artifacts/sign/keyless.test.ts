import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignError } from './errors.js';
import { IDENTITY_TOKEN_ENV, checkIdentityToken, signModelKeyless } from './keyless.js';

// Keyless signing needs Fulcio and Rekor; there is no network here, so these tests cover what must fail
// cleanly: no token, a bad or expired token, an unreachable or refusing service. Nothing may be written.
const jwt = (claims: object) =>
  ['{"alg":"RS256"}', JSON.stringify(claims), 'sig']
    .map((p) => Buffer.from(p).toString('base64url'))
    .join('.');
const future = Math.floor(Date.now() / 1000) + 600;
const TOKEN = jwt({
  iss: 'https://issuer.example',
  sub: 'dev@example.com',
  email: 'dev@example.com',
  email_verified: true,
  exp: future,
});

let dir: string;
let refusing: Server;
let refusingUrl: string;
let requests = 0;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'warden-keyless-'));
  mkdirSync(join(dir, 'm'));
  writeFileSync(join(dir, 'm', 'weights.bin'), Buffer.alloc(4096, 3));
  refusing = createServer((req, res) => {
    requests++;
    req.resume();
    res.writeHead(401, { 'content-type': 'application/json' });
    res.end('{"code":401,"message":"invalid identity token"}');
  });
  await new Promise<void>((r) => refusing.listen(0, '127.0.0.1', r));
  refusingUrl = `http://127.0.0.1:${(refusing.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((r) => refusing.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
});

async function failure(p: Promise<unknown>): Promise<SignError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(SignError);
    return e as SignError;
  }
  throw new Error('expected a failure');
}

describe('keyless signing without a network', () => {
  it('refuses to start without a usable token, before hashing', async () => {
    const saved = process.env[IDENTITY_TOKEN_ENV];
    delete process.env[IDENTITY_TOKEN_ENV];
    try {
      const none = await failure(signModelKeyless(join(dir, 'm'), {}));
      expect([none.code, none.kind]).toEqual(['SIGSTORE_NO_TOKEN', 'usage']);
      expect(none.message).toContain(IDENTITY_TOKEN_ENV);
      for (const [token, why] of [
        ['not-a-jwt', /not a JWT/],
        [jwt({ exp: 1_600_000_000, sub: 'x' }), /expired at 2020-09-13/],
        ['a.b$.c', /not a JWT/],
        // sigstore-js refuses it before any request; its message quotes the token, ours must not
        [jwt({ email: 'dev@example.com', email_verified: false, exp: future }), /email not verified/],
      ] as const) {
        const e = await failure(signModelKeyless(join(dir, 'm'), { identityToken: token }));
        expect(e.code).toBe('SIGSTORE_NO_TOKEN');
        expect(e.message).toMatch(why);
        if (token.length > 20) expect(e.message).not.toContain(token.split('.')[1]);
      }
      expect(checkIdentityToken(TOKEN)).toEqual({ iss: 'https://issuer.example', exp: future });
    } finally {
      if (saved !== undefined) process.env[IDENTITY_TOKEN_ENV] = saved;
    }
    expect(existsSync(join(dir, 'm', 'model.sig'))).toBe(false);
  });

  it('an unreachable Fulcio is SIGSTORE_UNAVAILABLE naming it, and writes nothing', async () => {
    const e = await failure(
      signModelKeyless(join(dir, 'm'), {
        identityToken: TOKEN,
        fulcioURL: 'http://127.0.0.1:1',
        timeoutMs: 2000,
      }),
    );
    expect(e.code).toBe('SIGSTORE_UNAVAILABLE');
    expect(e.message).toMatch(/Fulcio \(http:\/\/127\.0\.0\.1:1\)/);
    expect(existsSync(join(dir, 'm', 'model.sig'))).toBe(false);
  }, 30_000);

  it('a Fulcio that refuses the token is SIGSTORE_UNAVAILABLE with its answer', async () => {
    const e = await failure(
      signModelKeyless(join(dir, 'm'), { identityToken: TOKEN, fulcioURL: refusingUrl, timeoutMs: 2000 }),
    );
    expect(e.code).toBe('SIGSTORE_UNAVAILABLE');
    expect(e.message).toMatch(/Fulcio/);
    expect(e.message).toMatch(/401/);
    expect(requests).toBeGreaterThan(0);
    expect(existsSync(join(dir, 'm', 'model.sig'))).toBe(false);
  }, 30_000);
});
