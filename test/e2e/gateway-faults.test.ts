import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/core/store/index.js';
import { pgTestUrl, TEST_PG } from '../../src/core/store/testing.js';
import {
  ApiKeys,
  openGatewayStore,
  parseGatewayConfig,
  startGateway,
  verifyAuditChain,
} from '../../src/gateway/index.js';
import { startRedis, startRelay } from '../../src/gateway/testing.js';
import { CLI, EXAMPLE_MODEL, call, digit, mnist } from './gateway-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'warden-gw-faults-'));
const pg = pgTestUrl('gw_faults');
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await pg.drop();
});

/** Sends `n` requests, `concurrency` at a time; returns the statuses. */
async function load(url: string, key: string, n: number, concurrency = 16): Promise<number[]> {
  const statuses: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        const i = next++;
        const status = (await call(url, { key, body: digit(i % 100) }).catch(() => ({ status: 0 }))).status;
        statuses.push(status);
        if (status === 0) next = n; // the server is gone: stop
      }
    }),
  );
  return statuses;
}

describe('gateway under load and faults', () => {
  it('loses no audit record over thousands of requests (count and chain verify)', async () => {
    const gw = await startGateway(
      parseGatewayConfig({
        port: 0,
        store: `sqlite:${join(dir, 'load.db')}`,
        limits: { perPrincipal: { rate: 1e6, burst: 1e6 } },
        models: { mnist: { path: EXAMPLE_MODEL } },
      }),
    );
    const key = (await new ApiKeys(gw.store).create('loader', 'data_scientist')).key;
    const statuses = await load(`${gw.url}/v2/models/mnist/infer`, key, 2000);
    expect(statuses.filter((s) => s === 200)).toHaveLength(2000);
    const store = gw.store;
    await gw.audit.flush();
    const n = await store.get<{ n: number }>(
      "SELECT COUNT(*) AS n FROM gateway_audit WHERE action = 'infer'",
    );
    expect(n?.n).toBe(2000);
    expect((await verifyAuditChain(store)).ok).toBe(true);
    await gw.close();
  });

  it('kill -9 mid-load leaves a chain that verifies up to the last committed record', async () => {
    const url = `sqlite:${join(dir, 'kill.db')}`;
    const created = spawnSync('node', [
      CLI,
      'keys',
      'create',
      '--principal',
      'k9',
      '--role',
      'data_scientist',
      '--store',
      url,
    ]);
    expect(created.status).toBe(0);
    const key = created.stdout.toString().trim();
    const child = spawn(
      'node',
      [CLI, 'serve', '--model', `mnist=${EXAMPLE_MODEL}`, '--port', '0', '--store', url],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    const base = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /listening on (http:\/\/\S+)/.exec(out);
        if (m) resolve(m[1]!);
      });
      child.once('exit', (c) => reject(new Error(`serve exited ${c}`)));
    });
    let ok = 0;
    const running = load(`${base}/v2/models/mnist/infer`, key, 100_000, 8).then((s) => s);
    while (ok < 400) {
      await new Promise((r) => setTimeout(r, 50));
      const store = await openStore(url);
      ok = (await store.get<{ n: number }>('SELECT COUNT(*) AS n FROM gateway_audit'))?.n ?? 0;
      await store.close();
    }
    child.kill('SIGKILL');
    const statuses = await running;
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThan(300);
    expect(statuses.filter((s) => s === 0).length).toBeGreaterThan(0); // the rest failed to connect
    const verify = spawnSync('node', [CLI, 'audit', 'verify', '--store', url, '--json']);
    expect(verify.status).toBe(0);
    const v = JSON.parse(verify.stdout.toString()) as { ok: boolean; records: number };
    expect(v.ok).toBe(true);
    expect(v.records).toBeGreaterThanOrEqual(ok);
  });

  it('PostgreSQL going away gives 503s, readiness false, and recovery without a restart', async () => {
    const relay = await startRelay(Number(new URL(TEST_PG).port || 5432));
    const target = new URL(pg.url);
    target.port = String(relay.port);
    const gw = await startGateway(
      parseGatewayConfig({
        port: 0,
        store: target.toString(),
        auth: { keyCacheMs: 0 },
        audit: { flushMs: 5 },
        models: { mnist: { path: EXAMPLE_MODEL } },
      }),
    );
    const key = (await new ApiKeys(gw.store).create('pg-user', 'data_scientist')).key;
    const inferUrl = `${gw.url}/v2/models/mnist/infer`;
    expect((await call(inferUrl, { key, body: digit(0) })).status).toBe(200);
    await relay.cut();
    const during = await Promise.all([0, 1, 2].map((i) => call(inferUrl, { key, body: digit(i) })));
    expect(during.map((r) => r.status)).toEqual([503, 503, 503]);
    expect(during[0]!.headers.get('retry-after')).toBe('1');
    await new Promise((r) => setTimeout(r, 200));
    expect((await call(`${gw.url}/v2/health/ready`)).status).toBe(503);
    await relay.restore();
    let status = 0;
    for (let i = 0; i < 100 && status !== 200; i++) {
      status = (await call(inferUrl, { key, body: digit(0) })).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 100));
    }
    expect(status).toBe(200);
    await gw.audit.flush(20_000);
    expect((await call(`${gw.url}/v2/health/ready`)).status).toBe(200);
    const v = await verifyAuditChain(gw.store);
    expect(v.ok).toBe(true);
    const errors = await gw.store.get<{ n: number }>(
      'SELECT COUNT(*) AS n FROM gateway_audit WHERE status = 503',
    );
    expect(errors?.n).toBeGreaterThanOrEqual(3); // the refusals during the outage were kept and written after
    await gw.close();
    await relay.close();
  });

  it('two gateways on one Redis share limits; Redis going away gives 503 and recovery', async () => {
    const redis = await startRedis();
    const store = `sqlite:${join(dir, 'redis.db')}`;
    const s = await openGatewayStore(store);
    const key = (await new ApiKeys(s).create('shared', 'data_scientist')).key;
    await s.close();
    const cfg = parseGatewayConfig({
      port: 0,
      store,
      redis: redis.url,
      limits: { perPrincipal: { rate: 0.01, burst: 4 } },
      models: { mnist: { path: EXAMPLE_MODEL } },
    });
    const [a, b] = [await startGateway(cfg), await startGateway(cfg)];
    const statuses = [];
    for (let i = 0; i < 8; i++)
      statuses.push(
        (await call(`${(i % 2 ? a : b).url}/v2/models/mnist/infer`, { key, body: digit(i) })).status,
      );
    expect(statuses.filter((x) => x === 200)).toHaveLength(4);
    expect(statuses.filter((x) => x === 429)).toHaveLength(4);
    await redis.stop();
    expect((await call(`${a.url}/v2/models/mnist/infer`, { key, body: digit(0) })).status).toBe(503);
    expect((await call(`${a.url}/v2/health/ready`)).status).toBe(503);
    await redis.start(); // a fresh server: the buckets are full again
    let status = 0;
    for (let i = 0; i < 100 && status !== 200; i++) {
      status = (await call(`${a.url}/v2/models/mnist/infer`, { key, body: digit(0) })).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 100));
    }
    expect(status).toBe(200);
    await Promise.all([a.close(), b.close()]);
    await redis.stop();
  });

  it('blocks a principal whose queries look like an extraction attack, after an audited alarm', async () => {
    const gw = await startGateway(
      parseGatewayConfig({
        port: 0,
        store: `sqlite:${join(dir, 'prada.db')}`,
        limits: { perPrincipal: { rate: 1e6, burst: 1e6 } },
        extraction: { threshold: 0.85, minQueries: 100, action: 'block' },
        models: { mnist: { path: EXAMPLE_MODEL } },
      }),
    );
    const keys = new ApiKeys(gw.store);
    const thief = (await keys.create('thief', 'data_scientist')).key;
    const honest = (await keys.create('honest', 'data_scientist')).key;
    const url = `${gw.url}/v2/models/mnist/infer`;
    // honest: real digits in order; thief: a few seeds, then small signed steps around earlier queries
    for (let i = 0; i < 200; i++) expect((await call(url, { key: honest, body: digit(i) })).status).toBe(200);
    const held: Float32Array[] = Array.from({ length: 10 }, (_, i) => mnist.x.slice(i * 784, (i + 1) * 784));
    let blockedAt = -1;
    for (let i = 0; i < 300 && blockedAt < 0; i++) {
      const parent = held[i % held.length]!;
      const x =
        i < 10
          ? parent
          : parent.map((v, j) => Math.min(1, Math.max(0, v + ((i * 31 + j * 17) % 2 ? 0.1 : -0.1))));
      held.push(x);
      const r = await call(url, { key: thief, body: digit(0, x) });
      if (r.status === 403) blockedAt = i;
    }
    expect(blockedAt).toBeGreaterThan(100);
    expect((await call(url, { key: honest, body: digit(1) })).status).toBe(200);
    await gw.audit.flush();
    const alarm = await gw.store.get<{ actor: string }>(
      "SELECT actor FROM gateway_audit WHERE action = 'extraction.alarm'",
    );
    expect(alarm?.actor).toBe('thief');
    const m = await fetch(`${gw.url}/metrics`, {
      headers: { authorization: `Bearer ${(await keys.create('ops', 'ml_engineer')).key}` },
    });
    expect(await m.text()).toContain('warden_gateway_extraction_alarms_total{model="mnist"} 1');
    await gw.close();
  });

  it('raises an audited drift alarm when inputs shift away from the reference sample', async () => {
    // reference: even-numbered test digits; live traffic: odd-numbered ones (the same distribution)
    const row = (i: number) => mnist.x.subarray(i * 784, (i + 1) * 784);
    const reference = Array.from({ length: 400 }, (_, i) => Array.from(row(2 * i)));
    writeFileSync(join(dir, 'reference.json'), JSON.stringify(reference));
    const gw = await startGateway(
      parseGatewayConfig({
        port: 0,
        store: `sqlite:${join(dir, 'drift.db')}`,
        limits: { perPrincipal: { rate: 1e6, burst: 1e6 } },
        models: {
          mnist: {
            path: EXAMPLE_MODEL,
            drift: { reference: join(dir, 'reference.json'), window: 200, every: 100 },
          },
        },
      }),
    );
    const keys = new ApiKeys(gw.store);
    const key = (await keys.create('drifty', 'data_scientist')).key;
    const url = `${gw.url}/v2/models/mnist/infer`;
    for (let i = 0; i < 200; i++) expect((await call(url, { key, body: digit(2 * i + 1) })).status).toBe(200);
    await gw.audit.flush();
    const quiet = await gw.store.get<{ n: number }>(
      "SELECT COUNT(*) AS n FROM gateway_audit WHERE action = 'drift.alarm'",
    );
    expect(quiet?.n).toBe(0);
    // the same digits, dimmed to 30 % brightness: what a changed camera or preprocessing bug would send
    for (let i = 0; i < 200; i++) {
      const dim = row(2 * i + 1).map((v) => v * 0.3);
      expect((await call(url, { key, body: digit(0, dim) })).status).toBe(200);
    }
    await gw.audit.flush();
    const alarm = await gw.store.get<{ detail: string }>(
      "SELECT detail FROM gateway_audit WHERE action = 'drift.alarm'",
    );
    expect(JSON.parse(alarm!.detail)).toMatchObject({ features: [{ feature: 'mean' }, { feature: 'std' }] });
    const m = await fetch(`${gw.url}/metrics`, {
      headers: { authorization: `Bearer ${(await keys.create('ops2', 'ml_engineer')).key}` },
    });
    expect(await m.text()).toMatch(/warden_gateway_drift_psi\{feature="mean",model="mnist"\} \d/);
    await gw.close();
  });
});
