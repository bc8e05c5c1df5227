import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgTestUrl } from '../core/store/testing.js';
import { Registry, createRegistryHandler, registerModel, type RegistryPrincipal } from './index.js';
import { keyPair, report, signedModel } from './testing.js';

const dir = mkdtempSync(join(tmpdir(), 'warden-registry-http-'));
const pg = pgTestUrl('registry_http');
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await pg.drop();
});

const P = {
  viewer: { id: 'vic', roles: ['viewer'] },
  scientist: { id: 'sam', roles: ['data_scientist'] },
  engineer: { id: 'eve', roles: ['ml_engineer'], via: 'api-key' },
  auditor: { id: 'aud', roles: ['auditor'] },
  both: { id: 'bo', roles: ['ml_engineer', 'auditor'] },
} satisfies Record<string, RegistryPrincipal & { via?: string }>;

describe.each([
  ['sqlite', () => `sqlite:${join(dir, 'http.db')}`],
  ['postgres', () => pg.url],
])('registry HTTP API (%s)', (name, url) => {
  let reg: Registry;
  let server: Server;
  let base: string;
  const key = keyPair();

  beforeAll(async () => {
    reg = await Registry.open(url());
    // the gateway authenticates; here the principal rides in a header so each test can pick one
    const handler = createRegistryHandler(reg);
    server = createServer((req, res) => {
      const p = JSON.parse(
        String(req.headers['x-principal'] ?? '{"id":"anon","roles":[]}'),
      ) as RegistryPrincipal;
      void handler(req, res, p).then((handled) => {
        if (!handled) res.writeHead(418).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    await registerModel(reg, await signedModel(join(dir, name), 'm1', 1, key), {
      name: 'churn',
      actor: 'sam',
      publicKey: key.publicPem,
    });
    await registerModel(reg, await signedModel(join(dir, name), 'm2', 2, key), {
      name: 'churn',
      actor: 'sam',
      publicKey: key.publicPem,
      parents: [{ ref: 'churn@1', relation: 'fine_tuned_from' }],
    });
    await reg.setPolicy(
      {
        version: 1,
        trustedKeys: [key.publicPem],
        gates: {
          production: ['signature trusted', 'dp.epsilon <= 8', 'approvals >= 2 by ml_engineer, auditor'],
        },
      },
      'admin',
    );
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
    await reg.close();
  });

  async function call(method: string, path: string, who: RegistryPrincipal, body?: unknown) {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: {
        'x-principal': JSON.stringify(who),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    return {
      status: res.status,
      body: (await res.json().catch(() => null)) as Record<string, unknown> & unknown[],
    };
  }

  it('lists models and versions, shows one, and draws lineage as nodes and edges', async () => {
    const models = await call('GET', '/api/registry/models', P.viewer);
    expect(models.status).toBe(200);
    expect(models.body).toEqual([expect.objectContaining({ name: 'churn', versions: 2 })]);
    const versions = await call('GET', '/api/registry/models/churn/versions?limit=1', P.viewer);
    expect((versions.body as unknown as { ref: string }[]).map((v) => v.ref)).toEqual(['churn@2']);
    const show = await call('GET', '/api/registry/versions/churn@2', P.viewer);
    expect(show.body).toMatchObject({
      ref: 'churn@2',
      parents: [{ relation: 'fine_tuned_from', ref: 'churn@1' }],
    });
    const lineage = await call(
      'GET',
      `/api/registry/versions/${encodeURIComponent('churn@1')}/lineage?direction=down`,
      P.viewer,
    );
    expect(lineage.body).toMatchObject({
      root: 'version:churn@1',
      nodes: [{ id: 'version:churn@1' }, { id: 'version:churn@2' }],
      edges: [{ from: 'version:churn@2', to: 'version:churn@1', relation: 'fine_tuned_from' }],
    });
  });

  it('enforces permissions per route and answers 404 and 405', async () => {
    expect((await call('GET', '/api/registry/models', { id: 'x', roles: [] })).status).toBe(403);
    expect(
      (await call('POST', '/api/registry/versions/churn@2/evidence', P.viewer, report('dp', { epsilon: 3 })))
        .status,
    ).toBe(403);
    expect((await call('POST', '/api/registry/versions/churn@2/approvals', P.scientist, {})).status).toBe(
      403,
    );
    expect(
      (await call('POST', '/api/registry/versions/churn@2/promote', P.auditor, { alias: 'production' }))
        .status,
    ).toBe(403);
    const explicit = { id: 'svc', roles: ['viewer'], permissions: ['registry:read', 'registry:write'] };
    expect((await call('GET', '/api/registry/datasets', explicit)).status).toBe(200);
    expect((await call('GET', '/api/registry/versions/churn@9', P.viewer)).status).toBe(404);
    expect((await call('GET', '/api/registry/nothing', P.viewer)).status).toBe(404);
    expect((await call('DELETE', '/api/registry/models', P.viewer)).status).toBe(405);
    expect((await fetch(`${base}/elsewhere`)).status).toBe(418);
  });

  it('takes evidence and approvals, refuses promotion with 409 and the unmet clauses, then promotes', async () => {
    const ev = await call(
      'POST',
      '/api/registry/versions/churn@2/evidence',
      P.scientist,
      report('dp', { epsilon: 3.2 }),
    );
    expect(ev.status).toBe(201);
    expect(ev.body).toMatchObject({
      ref: 'churn@2',
      created: true,
      evidence: { kind: 'dp', metrics: { epsilon: 3.2 } },
    });
    const refused = await call('POST', '/api/registry/versions/churn@2/promote', P.engineer, {
      alias: 'production',
    });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({
      code: 'REGISTRY_GATE_FAILED',
      promoted: false,
      gate: { unmet: [{ clause: 'approvals >= 2 by ml_engineer, auditor' }] },
    });
    expect(
      (await call('POST', '/api/registry/versions/churn@2/approvals', P.engineer, { role: 'auditor' }))
        .status,
    ).toBe(403);
    expect((await call('POST', '/api/registry/versions/churn@2/approvals', P.both, {})).status).toBe(400);
    expect(
      (
        await call(
          'POST',
          '/api/registry/versions/churn@2/approvals',
          { id: 'sam', roles: ['ml_engineer'] },
          {},
        )
      ).status,
    ).toBe(403);
    expect((await call('POST', '/api/registry/versions/churn@2/approvals', P.engineer, {})).status).toBe(201);
    expect((await call('POST', '/api/registry/versions/churn@2/approvals', P.engineer, {})).status).toBe(200);
    expect(
      (await call('POST', '/api/registry/versions/churn@2/approvals', P.auditor, { comment: 'ok' })).status,
    ).toBe(201);
    const gate = await call('GET', '/api/registry/versions/churn@2/gates/production', P.viewer);
    expect(gate.body).toMatchObject({ passed: true });
    const ok = await call('POST', '/api/registry/versions/churn@2/promote', P.engineer, {
      alias: 'production',
      expect: null,
    });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ promoted: true, previous: null });
    const resolved = await call('GET', '/api/registry/resolve/churn@production', P.viewer);
    expect(resolved.body).toMatchObject({ version: { ref: 'churn@2' }, gate: { passed: true } });
    const conflict = await call('POST', '/api/registry/versions/churn@1/promote', P.engineer, {
      alias: 'production',
      expect: null,
    });
    expect(conflict.status).toBe(409);
    expect(conflict.body).toMatchObject({ code: 'REGISTRY_CONFLICT' });
    const audit = await call('GET', '/api/registry/audit?model=churn&limit=3', P.auditor);
    expect((audit.body as unknown as { action: string }[]).map((a) => a.action)).toEqual([
      'alias.set',
      'approval.add',
      'approval.add',
    ]);
    expect((await call('GET', '/api/registry/audit/verify', P.auditor)).body).toMatchObject({ ok: true });
  });

  it('bad bodies are 4xx with a code, never a crash', async () => {
    const bad = await call('POST', '/api/registry/versions/churn@2/evidence', P.scientist, '{"kind":');
    expect(bad).toMatchObject({ status: 400, body: { code: 'HTTP_BODY_INVALID' } });
    const notReport = await call('POST', '/api/registry/versions/churn@2/evidence', P.scientist, {
      kind: 'scan',
    });
    expect(notReport).toMatchObject({ status: 400, body: { code: 'REGISTRY_EVIDENCE_INVALID' } });
    const deep = await call(
      'POST',
      '/api/registry/versions/churn@2/evidence',
      P.scientist,
      '['.repeat(200) + ']'.repeat(200),
    );
    expect(deep).toMatchObject({ status: 400, body: { code: 'HTTP_BODY_TOO_DEEP' } });
    const big = await call(
      'POST',
      '/api/registry/versions/churn@2/evidence',
      P.scientist,
      `"${'x'.repeat(9 << 20)}"`,
    );
    expect(big).toMatchObject({ status: 413, body: { code: 'HTTP_BODY_TOO_LARGE' } });
    expect(
      (await call('POST', '/api/registry/versions/churn@2/promote', P.engineer, { alias: 7 })).status,
    ).toBe(400);
    expect((await call('GET', '/api/registry/versions/%E0%A4%A', P.viewer)).status).toBe(400);
    expect((await call('GET', '/api/registry/models?limit=-1', P.viewer)).status).toBe(400);
  });
});
