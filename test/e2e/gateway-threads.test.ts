import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/core/store/index.js';
import { verifyAuditChain } from '../../src/gateway/index.js';
import { CLI, EXAMPLE_MODEL, call, digit, mnist, serveCli } from './gateway-helpers.js';

// The built `warden serve` runs its audit writer and its monitors on their own threads: an extraction
// alarm still comes back, is audited and blocks the principal; every request is in a chain that verifies.
const dir = mkdtempSync(join(tmpdir(), 'warden-gw-threads-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const store = `sqlite:${join(dir, 't.db')}`;
const key = (principal: string) => {
  const r = spawnSync(
    'node',
    [CLI, 'keys', 'create', '--principal', principal, '--role', 'data_scientist', '--store', store, '--json'],
    { encoding: 'utf8' },
  );
  return (JSON.parse(r.stdout) as { key: string }).key;
};
const thiefQuery = (held: Float32Array[], i: number) => {
  const parent = held[i % held.length]!;
  const x =
    i < 10
      ? parent
      : parent.map((v, j) => Math.min(1, Math.max(0, v + ((i * 31 + j * 17) % 2 ? 0.1 : -0.1))));
  held.push(x);
  return digit(0, x);
};
const seeds = () => Array.from({ length: 10 }, (_, i) => mnist.x.slice(i * 784, (i + 1) * 784));

describe('warden serve with monitor and audit threads', () => {
  it('blocks an extraction attack after an audited alarm from the monitor thread', async () => {
    writeFileSync(
      join(dir, 'gw.yaml'),
      'limits:\n  perPrincipal: { rate: 1000000, burst: 1000000 }\nextraction: { threshold: 0.85, minQueries: 100, action: block }\nmonitors: { thread: true }\n',
    );
    const thief = key('thief');
    const honest = key('honest');
    const gw = await serveCli(
      '--config',
      join(dir, 'gw.yaml'),
      '--model',
      `mnist=${EXAMPLE_MODEL}`,
      '--store',
      store,
    );
    expect(gw.url, gw.stderr).toBeDefined();
    const url = `${gw.url}/v2/models/mnist/infer`;
    let requests = 0;
    try {
      for (let i = 0; i < 200; i++, requests++)
        expect((await call(url, { key: honest, body: digit(i) })).status).toBe(200);
      const held: Float32Array[] = Array.from({ length: 10 }, (_, i) =>
        mnist.x.slice(i * 784, (i + 1) * 784),
      );
      let blockedAt = -1;
      for (let i = 0; i < 400 && blockedAt < 0; i++, requests++) {
        const parent = held[i % held.length]!;
        const x =
          i < 10
            ? parent
            : parent.map((v, j) => Math.min(1, Math.max(0, v + ((i * 31 + j * 17) % 2 ? 0.1 : -0.1))));
        held.push(x);
        if ((await call(url, { key: thief, body: digit(0, x) })).status === 403) blockedAt = i;
      }
      expect(blockedAt).toBeGreaterThan(100);
      expect((await call(url, { key: honest, body: digit(1) })).status).toBe(200);
      requests++;
    } finally {
      await gw.stop();
    }
    const s = await openStore(store);
    try {
      const alarm = await s.get<{ actor: string }>(
        "SELECT actor FROM gateway_audit WHERE action = 'extraction.alarm'",
      );
      expect(alarm?.actor).toBe('thief');
      const infer = await s.get<{ n: number }>(
        "SELECT COUNT(*) AS n FROM gateway_audit WHERE action = 'infer'",
      );
      expect(Number(infer?.n)).toBe(requests);
      expect(await verifyAuditChain(s)).toMatchObject({ ok: true });
    } finally {
      await s.close();
    }
  });
});

describe('two replicas sharing PRADA state through Redis', () => {
  it('measure a thief who alternates between them as one client, and both block it', async () => {
    const shared = `sqlite:${join(dir, 'shared.db')}`;
    const redisStore = join(dir, 'redis.yaml');
    writeFileSync(
      redisStore,
      'limits:\n  perPrincipal: { rate: 1000000, burst: 1000000 }\nextraction: { threshold: 0.85, minQueries: 100, action: block }\nmonitors: { thread: true }\n',
    );
    // principals unique to this run: the shared state outlives the gateways in Redis
    const who = `thief-${process.pid}-${Date.now()}`;
    const r = spawnSync(
      'node',
      [CLI, 'keys', 'create', '--principal', who, '--role', 'data_scientist', '--store', shared, '--json'],
      { encoding: 'utf8' },
    );
    const thief = (JSON.parse(r.stdout) as { key: string }).key;
    const args = ['--config', redisStore, '--model', `mnist=${EXAMPLE_MODEL}`, '--store', shared];
    const a = await serveCli(...args, '--redis', 'redis://127.0.0.1:6379');
    const b = await serveCli(...args, '--redis', 'redis://127.0.0.1:6379');
    try {
      expect(a.url, a.stderr).toBeDefined();
      expect(b.url, b.stderr).toBeDefined();
      const held = seeds();
      let blockedAt = -1;
      for (let i = 0; i < 400 && blockedAt < 0; i++) {
        const url = `${(i % 2 ? b : a).url}/v2/models/mnist/infer`;
        if ((await call(url, { key: thief, body: thiefQuery(held, i) })).status === 403) blockedAt = i;
      }
      expect(blockedAt).toBeGreaterThan(100);
      // the replica that did not raise the alarm learns it from Redis within about a second
      await new Promise((res) => setTimeout(res, 1500));
      for (const g of [a, b])
        expect((await call(`${g.url}/v2/models/mnist/infer`, { key: thief, body: digit(3) })).status).toBe(
          403,
        );
    } finally {
      await a.stop();
      await b.stop();
    }
    const s = await openStore(shared);
    try {
      const alarms = await s.all<{ actor: string }>(
        "SELECT actor FROM gateway_audit WHERE action = 'extraction.alarm'",
      );
      expect(alarms.map((x) => x.actor)).toEqual([who]);
      expect(await verifyAuditChain(s)).toMatchObject({ ok: true });
    } finally {
      await s.close();
    }
  });
});
