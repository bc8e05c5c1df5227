import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT, exportJWK, generateKeyPair, type CryptoKey } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiKeys,
  parseGatewayConfig,
  startGateway,
  verifyAuditChain,
  type AuditRecord,
  type RunningGateway,
} from '../../src/gateway/index.js';
import { auditRecords } from '../../src/gateway/index.js';
import { EXAMPLE_MODEL, call, digit } from './gateway-helpers.js';

// Every refusal of issue 5's security list, over real HTTP against the real gateway and model:
// the right status, an audit record, and no call reaching the model.
const dir = mkdtempSync(join(tmpdir(), 'warden-gw-sec-'));
let gw: RunningGateway;
let modelCalls = 0;
let key: string;
let viewerKey: string;
let revokedKey: string;
let signer: CryptoKey;
let otherSigner: CryptoKey;
const ISS = 'https://idp.example.test';

async function jwt(
  claims: Record<string, unknown>,
  opts: { aud?: string; exp?: string | number; key?: CryptoKey } = {},
) {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
    .setIssuer(ISS)
    .setSubject(typeof claims.sub === 'string' ? claims.sub : 'carol')
    .setAudience(opts.aud ?? 'warden')
    .setIssuedAt()
    .setExpirationTime(opts.exp ?? '5m')
    .sign(opts.key ?? signer);
}

beforeAll(async () => {
  const pair = await generateKeyPair('RS256');
  signer = pair.privateKey;
  otherSigner = (await generateKeyPair('RS256')).privateKey;
  const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  writeFileSync(join(dir, 'jwks.json'), JSON.stringify({ keys: [jwk] }));
  const config = parseGatewayConfig({
    port: 0,
    store: `sqlite:${join(dir, 'gw.db')}`,
    auth: {
      keyCacheMs: 0,
      jwt: {
        jwksFile: join(dir, 'jwks.json'),
        issuer: ISS,
        audience: 'warden',
        roleMap: { 'ml-team': 'ml_engineer' },
      },
    },
    limits: { maxBodyBytes: 64 * 1024, maxDepth: 8 },
    models: { mnist: { path: EXAMPLE_MODEL, ranges: { input: { min: 0, max: 1 } }, maxDim: 16 } },
  });
  gw = await startGateway(config);
  const backend = gw.models.get('mnist')!.backend;
  const infer = backend.infer.bind(backend);
  backend.infer = (inputs) => {
    modelCalls++;
    return infer(inputs);
  };
  const keys = new ApiKeys(gw.store, 0);
  key = (await keys.create('alice', 'data_scientist')).key;
  viewerKey = (await keys.create('vic', 'viewer')).key;
  const revoked = await keys.create('mallory', 'data_scientist');
  revokedKey = revoked.key;
  await keys.revoke(revoked.info.id);
});

afterAll(async () => {
  await gw.close();
  rmSync(dir, { recursive: true, force: true });
});

const infer = () => `${gw.url}/v2/models/mnist/infer`;

describe('gateway security', () => {
  it('serves a valid request with hardened probabilities, never logits', async () => {
    const r = await call(infer(), { key, body: { id: 'ok-1', ...digit(0) } });
    expect(r.status).toBe(200);
    const out = (r.body.outputs as { name: string; data: number[] }[])[0]!;
    expect(out.name).toBe('probabilities');
    expect(out.data.reduce((a, b) => a + b)).toBeCloseTo(1, 2);
    expect(out.data.every((v) => Math.round(v * 1e4) / 1e4 === v)).toBe(true);
    expect(r.body.id).toBe('ok-1');
    const viaJwt = await call(infer(), { key: await jwt({ roles: ['ml-team'] }), body: digit(1) });
    expect(viaJwt.status).toBe(200);
  });

  it('answers a digit identically however its numbers are written, concurrently', async () => {
    // the gateway's fast body parser (16-19 digit mantissas: the dataset's float32 pixels, exponents,
    // nested rows) and its JSON.parse fallback (> 19 digits, escapes) must hand the model the same values
    const bodies = [0, 1, 2].map((i) => {
      const d = digit(i).inputs[0]!;
      const rows = Array.from({ length: 28 }, (_, r) => d.data.slice(r * 28, r * 28 + 28));
      const tensor = (data: string) =>
        `{"inputs":[{"name":"input","datatype":"FP32","shape":[1,1,28,28],"data":${data}}]}`;
      return [
        JSON.stringify(digit(i)),
        tensor(`[${d.data.map((v) => v.toExponential()).join(', ')}]`),
        tensor(`[${d.data.map((v) => v.toPrecision(19)).join(',')}]`),
        tensor(`[${d.data.map((v) => v.toFixed(20)).join(',')}]`),
        tensor(`[[${rows.map((r) => JSON.stringify(r)).join(',\n')}]]`),
        tensor(JSON.stringify(d.data)).replace('"input"', '"in\\u0070ut"'),
      ];
    });
    const answers = await Promise.all(
      bodies.flat().map((raw) => call(infer(), { key, raw }).then((r) => [r.status, r.body.outputs])),
    );
    for (let i = 0; i < 3; i++) {
      const same = answers.slice(i * 6, i * 6 + 6);
      expect(same[0]![0]).toBe(200);
      for (const a of same) expect(a).toEqual(same[0]);
    }
    expect(answers[0]).not.toEqual(answers[6]); // different digits, different answers
  });

  it('refuses every bad credential, role and payload with the right status', async () => {
    const before = modelCalls;
    const deep = {
      inputs: [
        {
          name: 'input',
          datatype: 'FP32',
          shape: [1, 1, 28, 28],
          data: JSON.parse('[[[[[[[[[[1]]]]]]]]]]') as unknown,
        },
      ],
    };
    const t = (over: Record<string, unknown>) => ({ inputs: [{ ...digit(0).inputs[0], ...over }] });
    const nan = digit(0);
    const cases: [string, Promise<{ status: number }>, number][] = [
      ['no credential', call(infer(), { body: digit(0) }), 401],
      ['unknown key', call(infer(), { key: 'wdn_' + 'A'.repeat(43), body: digit(0) }), 401],
      ['not bearer', call(infer(), { headers: { authorization: 'Basic YTpi' }, body: digit(0) }), 401],
      ['revoked key', call(infer(), { key: revokedKey, body: digit(0) }), 401],
      [
        'expired JWT',
        jwt({ roles: ['ml-team'] }, { exp: Math.floor(Date.now() / 1000) - 3600 }).then((k) =>
          call(infer(), { key: k, body: digit(0) }),
        ),
        401,
      ],
      [
        'wrong audience',
        jwt({ roles: ['ml-team'] }, { aud: 'someone-else' }).then((k) =>
          call(infer(), { key: k, body: digit(0) }),
        ),
        401,
      ],
      [
        'foreign signer',
        jwt({ roles: ['ml-team'] }, { key: otherSigner }).then((k) =>
          call(infer(), { key: k, body: digit(0) }),
        ),
        401,
      ],
      [
        'unmapped admin claim',
        jwt({ roles: ['admin'] }).then((k) => call(infer(), { key: k, body: digit(0) })),
        403,
      ],
      ['viewer predicts', call(infer(), { key: viewerKey, body: digit(0) }), 403],
      ['scientist reads metrics', call(`${gw.url}/metrics`, { key }), 403],
      ['oversized body', call(infer(), { key, raw: JSON.stringify({ pad: 'x'.repeat(100_000) }) }), 413],
      ['malformed JSON', call(infer(), { key, raw: '{"inputs": [' }), 400],
      ['too deep', call(infer(), { key, body: deep }), 400],
      ['shape lie', call(infer(), { key, body: t({ shape: [1, 1, 28, 27] }) }), 400],
      ['count lie', call(infer(), { key, body: t({ shape: [2, 1, 28, 28] }) }), 400],
      ['datatype lie', call(infer(), { key, body: t({ datatype: 'INT64' }) }), 400],
      ['NaN/Inf', call(infer(), { key, raw: JSON.stringify(nan).replace('[0,', '[1e999,') }), 400],
      ['out of range', call(infer(), { key, body: t({ data: new Array(784).fill(2) }) }), 400],
      ['unknown model', call(`${gw.url}/v2/models/nope/infer`, { key, body: digit(0) }), 404],
    ];
    const results = await Promise.all(cases.map(([, p]) => p));
    expect(results.map((r, i) => [cases[i]![0], r.status])).toEqual(cases.map(([n, , s]) => [n, s]));
    expect(modelCalls).toBe(before);

    await gw.audit.flush();
    const records: AuditRecord[] = [];
    for await (const r of auditRecords(gw.store)) records.push(r);
    const refusals = records.filter((r) => r.decision === 'deny');
    expect(refusals.length).toBeGreaterThanOrEqual(cases.length);
    for (const [, , status] of cases) expect(refusals.some((r) => r.status === status)).toBe(true);
    expect(refusals.filter((r) => r.status === 401).every((r) => r.actor === 'anonymous')).toBe(true);
    expect(refusals.find((r) => r.status === 403 && r.actor === 'vic')?.detail).toContain(
      'GATEWAY_FORBIDDEN',
    );
    expect(await verifyAuditChain(gw.store)).toMatchObject({ ok: true });
  });

  it('lets the right roles read metadata and metrics', async () => {
    expect((await call(`${gw.url}/v2/models/mnist`, { key: viewerKey })).status).toBe(200);
    expect((await call(`${gw.url}/v2/models/mnist/versions/1/ready`, { key: viewerKey })).body).toEqual({
      name: 'mnist',
      ready: true,
    });
    expect((await call(`${gw.url}/v2/models/mnist/versions/2`, { key: viewerKey })).status).toBe(404);
    const metrics = await fetch(`${gw.url}/metrics`, {
      headers: { authorization: `Bearer ${await jwt({ roles: ['ml-team'] })}` },
    });
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toMatch(/warden_gateway_requests_total\{action="infer",status="200"\} \d+/);
    expect((await call(`${gw.url}/v2/health/live`)).status).toBe(200);
    expect((await call(`${gw.url}/v2`)).body).toMatchObject({ name: 'warden' });
  });
});

describe('gateway rate limits and extraction blocking', () => {
  let small: RunningGateway;
  let k: string;
  beforeAll(async () => {
    small = await startGateway(
      parseGatewayConfig({
        port: 0,
        store: `sqlite:${join(dir, 'small.db')}`,
        limits: { perPrincipal: { rate: 0.5, burst: 3 } },
        models: { mnist: { path: EXAMPLE_MODEL, output: { mode: 'top-k', topK: 2 } } },
      }),
    );
    k = (await new ApiKeys(small.store).create('bursty', 'data_scientist')).key;
  });
  afterAll(async () => {
    await small.close();
  });

  it('answers 429 with Retry-After past the burst, and audits it', async () => {
    const got = [];
    for (let i = 0; i < 4; i++)
      got.push(await call(`${small.url}/v2/models/mnist/infer`, { key: k, body: digit(i) }));
    expect(got.map((r) => r.status)).toEqual([200, 200, 200, 429]);
    expect(Number(got[3]!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const top = (got[0]!.body.outputs as { name: string; shape: number[] }[]).map((o) => [o.name, o.shape]);
    expect(top).toEqual([
      ['labels', [1, 2]],
      ['scores', [1, 2]],
    ]);
    await small.audit.flush();
    const rows = await small.store.all<{ status: number }>(
      "SELECT status FROM gateway_audit WHERE action = 'infer'",
    );
    expect(rows.map((r) => r.status)).toContain(429);
  });
});
