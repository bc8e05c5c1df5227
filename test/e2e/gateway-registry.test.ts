import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiKeys,
  auditRecords,
  parseGatewayConfig,
  startGateway,
  verifyAuditChain,
  type AuditRecord,
  type RunningGateway,
} from '../../src/gateway/index.js';
import { Registry, registerModel } from '../../src/registry/index.js';
import { keyPair, report, signedModel } from '../../src/registry/testing.js';
import { EXAMPLE_MODEL, call } from './gateway-helpers.js';

// The registry's HTTP API behind the gateway: real keys, real HTTP, refusals audited in the gateway's chain.
const dir = mkdtempSync(join(tmpdir(), 'warden-gw-registry-'));
let gw: RunningGateway;
const keys: Record<'vic' | 'sam' | 'eve' | 'aud' | 'ada', string> = {
  vic: '',
  sam: '',
  eve: '',
  aud: '',
  ada: '',
};
const api = (path: string) => `${gw.url}/api/registry${path}`;

beforeAll(async () => {
  gw = await startGateway(
    parseGatewayConfig({
      port: 0,
      store: `sqlite:${join(dir, 'gw.db')}`,
      auth: { keyCacheMs: 0 },
      models: { mnist: { path: EXAMPLE_MODEL } },
    }),
  );
  const k = new ApiKeys(gw.store, 0);
  keys.vic = (await k.create('vic', 'viewer')).key;
  keys.sam = (await k.create('sam', 'data_scientist')).key;
  keys.eve = (await k.create('eve', 'ml_engineer')).key;
  keys.aud = (await k.create('aud', 'auditor')).key;
  keys.ada = (await k.create('ada', 'admin')).key;
  // registration reads local files, so it goes through the library (as `warden registry register` does)
  const reg = await Registry.on(gw.store);
  const signer = keyPair();
  await registerModel(reg, await signedModel(dir, 'm1', 1, signer), {
    name: 'churn',
    actor: 'sam',
    publicKey: signer.publicPem,
  });
  await reg.setPolicy(
    {
      version: 1,
      trustedKeys: [signer.publicPem],
      gates: { production: ['signature trusted', 'approvals >= 2 by ml_engineer, auditor'] },
    },
    'ada',
  );
});

afterAll(async () => {
  await gw.close();
  rmSync(dir, { recursive: true, force: true });
});

async function records(): Promise<AuditRecord[]> {
  await gw.audit.flush();
  const out: AuditRecord[] = [];
  for await (const r of auditRecords(gw.store)) out.push(r);
  return out;
}

describe('registry API behind the gateway', () => {
  it('refuses callers without a valid key (401) and roles without the permission (403)', async () => {
    const anon = await call(api('/models'));
    expect(anon.status).toBe(401);
    expect(anon.headers.get('www-authenticate')).toBe('Bearer');
    expect((await call(api('/models'), { key: 'wdn_' + 'B'.repeat(43) })).status).toBe(401);
    // an unknown route is not revealed before authentication
    expect((await call(api('/nothing'))).status).toBe(401);
    expect((await call(api('/nothing'), { key: keys.vic })).status).toBe(404);
    const ev = report('dp', { epsilon: 3 });
    const cases: [string, Promise<{ status: number; body: Record<string, unknown> }>, number, string][] = [
      [
        'viewer adds evidence',
        call(api('/versions/churn@1/evidence'), { key: keys.vic, body: ev }),
        403,
        'GATEWAY_FORBIDDEN',
      ],
      [
        'scientist approves',
        call(api('/versions/churn@1/approvals'), { key: keys.sam, body: {} }),
        403,
        'GATEWAY_FORBIDDEN',
      ],
      [
        'auditor promotes',
        call(api('/versions/churn@1/promote'), { key: keys.aud, body: { alias: 'production' } }),
        403,
        'GATEWAY_FORBIDDEN',
      ],
      [
        'scientist promotes',
        call(api('/versions/churn@1/promote'), { key: keys.sam, body: { alias: 'production' } }),
        403,
        'GATEWAY_FORBIDDEN',
      ],
      [
        'engineer approves as auditor',
        call(api('/versions/churn@1/approvals'), { key: keys.eve, body: { role: 'auditor' } }),
        403,
        'REGISTRY_FORBIDDEN',
      ],
    ];
    const got = await Promise.all(cases.map(([, p]) => p));
    expect(got.map((r, i) => [cases[i]![0], r.status, r.body.code])).toEqual(
      cases.map(([n, , s, c]) => [n, s, c]),
    );
    const denied = (await records()).filter((r) => r.decision === 'deny');
    expect(denied.filter((r) => r.action === 'registry.models.list' && r.status === 401)).toHaveLength(2);
    expect(denied.find((r) => r.actor === 'vic' && r.action === 'registry.evidence.add')?.detail).toContain(
      'GATEWAY_FORBIDDEN',
    );
    expect(denied.find((r) => r.actor === 'eve' && r.action === 'registry.approve')?.detail).toContain(
      'REGISTRY_FORBIDDEN',
    );
    expect(denied.some((r) => r.actor === 'aud' && r.action === 'registry.promote')).toBe(true);
  });

  it('lets each role do its part: evidence, approvals, a refused and then a passed promotion', async () => {
    expect((await call(api('/models'), { key: keys.vic })).body).toEqual([
      expect.objectContaining({ name: 'churn', versions: 1 }),
    ]);
    const ev = await call(api('/versions/churn@1/evidence'), {
      key: keys.sam,
      body: report('dp', { epsilon: 3 }),
    });
    expect(ev.status).toBe(201);
    const early = await call(api('/versions/churn@1/promote'), {
      key: keys.eve,
      body: { alias: 'production' },
    });
    expect(early.status).toBe(409);
    expect(early.body).toMatchObject({ code: 'REGISTRY_GATE_FAILED', promoted: false });
    expect((await call(api('/versions/churn@1/approvals'), { key: keys.eve, body: {} })).status).toBe(201);
    expect((await call(api('/versions/churn@1/approvals'), { key: keys.aud, body: {} })).status).toBe(201);
    const ok = await call(api('/versions/churn@1/promote'), {
      key: keys.eve,
      body: { alias: 'production', expect: null },
    });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ promoted: true });
    const resolved = await call(api(`/resolve/${encodeURIComponent('churn@production')}`), { key: keys.vic });
    expect(resolved.body).toMatchObject({ version: { ref: 'churn@1' }, gate: { passed: true } });
    expect((await call(api('/audit/verify'), { key: keys.ada })).body).toMatchObject({ ok: true });

    const all = await records();
    const promotes = all.filter((r) => r.action === 'registry.promote' && r.actor === 'eve');
    expect(promotes.map((r) => [r.decision, r.status])).toEqual([
      ['deny', 409],
      ['allow', 200],
    ]);
    expect(promotes[0]!.detail).toContain('REGISTRY_GATE_FAILED');
    expect(all.find((r) => r.action === 'registry.evidence.add' && r.actor === 'sam')).toMatchObject({
      decision: 'allow',
      status: 201,
      resource: '/versions/churn@1/evidence',
    });
    expect(await verifyAuditChain(gw.store)).toMatchObject({ ok: true });
  });
});
