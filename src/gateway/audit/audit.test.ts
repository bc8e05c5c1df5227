import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isWardenError } from '../../core/index.js';
import { pgTestUrl, TEST_PG } from '../../core/store/testing.js';
import { openGatewayStore } from '../schema.js';
import { startRelay } from '../testing.js';
import { AuditLog, inlineWriter, verifyAuditChain, type AuditEvent, type AuditWriter } from './index.js';

const dir = mkdtempSync(join(tmpdir(), 'warden-audit-'));
const pg = pgTestUrl('gw_audit_test');
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await pg.drop();
});

const event = (i: number): AuditEvent => ({
  actor: `p${i % 3}`,
  action: 'infer',
  resource: 'mnist',
  decision: i % 5 ? 'allow' : 'deny',
  status: i % 5 ? 200 : 403,
  detail: { i },
});

describe.each([
  ['sqlite', () => `sqlite:${join(dir, 'a.db')}`],
  ['postgres', () => pg.url],
])('audit chain (%s)', (_n, url) => {
  it('writes every record in batches and the chain verifies; tampering is located', async () => {
    const store = await openGatewayStore(url());
    const log = new AuditLog(store, { batchSize: 64, flushMs: 5 });
    for (let i = 0; i < 1000; i++) log.record(event(i));
    expect(log.backlog).toBeGreaterThan(0); // queued, not written inline
    await log.flush();
    expect(log.written).toBe(1000);
    const v = await verifyAuditChain(store);
    expect(v).toMatchObject({ ok: true, records: 1000, lastSeq: 1000 });

    await store.run('UPDATE gateway_audit SET detail = ? WHERE seq = ?', ['{"i":9999}', 500]);
    const bad = await verifyAuditChain(store);
    expect(bad).toMatchObject({ ok: false, records: 499, firstBad: { seq: 500 } });
    expect(bad.firstBad?.reason).toContain('content');
    await store.run('UPDATE gateway_audit SET detail = ? WHERE seq = ?', ['{"i":499}', 500]);
    expect((await verifyAuditChain(store)).ok).toBe(true);
    await store.run('DELETE FROM gateway_audit WHERE seq = ?', [700]);
    expect((await verifyAuditChain(store)).firstBad).toMatchObject({ seq: 701 });
    await log.close();
    await store.close();
  });
});

describe('audit chain across replicas and outages', () => {
  it('two writers on one PostgreSQL store extend a single chain', async () => {
    const url = pgTestUrl('gw_audit_rep');
    const a = await openGatewayStore(url.url);
    const b = await openGatewayStore(url.url);
    const la = new AuditLog(a, { batchSize: 50, flushMs: 1 });
    const lb = new AuditLog(b, { batchSize: 50, flushMs: 1 });
    for (let i = 0; i < 600; i++) (i % 2 ? la : lb).record(event(i));
    await Promise.all([la.flush(), lb.flush()]);
    expect(await verifyAuditChain(a)).toMatchObject({ ok: true, records: 600 });
    await Promise.all([la.close(), lb.close(), a.close(), b.close()]);
    await url.drop();
  });

  it('keeps records while PostgreSQL is away, refuses past the backlog, and catches up', async () => {
    const relay = await startRelay(Number(new URL(TEST_PG).port || 5432));
    const target = new URL(pg.url);
    target.port = String(relay.port);
    const store = await openGatewayStore(target.toString());
    await store.run('DELETE FROM gateway_audit');
    const errors: unknown[] = [];
    const log = new AuditLog(store, {
      batchSize: 20,
      flushMs: 1,
      maxBacklog: 100,
      onError: (e) => errors.push(e),
    });
    await relay.cut();
    for (let i = 0; i < 100; i++) log.record(event(i));
    await new Promise((r) => setTimeout(r, 300));
    expect(log.healthy).toBe(false);
    expect(log.backlog).toBe(100);
    expect(isWardenError(errors[0]) && errors[0].code).toBe('STORE_UNAVAILABLE');
    let refused: unknown;
    try {
      log.record(event(100));
    } catch (e) {
      refused = e;
    }
    expect(isWardenError(refused) && refused.code).toBe('GATEWAY_UNAVAILABLE');
    await relay.restore();
    await log.flush(20_000);
    expect(log.healthy).toBe(true);
    expect(await verifyAuditChain(store)).toMatchObject({ ok: true, records: 100 });
    await log.close();
    await store.close();
    await relay.close();
  });
});

describe('audit batching', () => {
  it('writes full batches at once and leaves a partial remainder for the next flush, not a tiny batch', async () => {
    const store = await openGatewayStore(`sqlite:${join(dir, 'batches.db')}`);
    const inline = inlineWriter(store);
    const sizes: number[] = [];
    const writer: AuditWriter = {
      write: (events) => (sizes.push(events.length), inline.write(events)),
      close: () => inline.close(),
    };
    const log = new AuditLog(store, { batchSize: 100, flushMs: 60_000, writer });
    for (let i = 0; i < 250; i++) log.record(event(i));
    while (log.written < 200) await new Promise((r) => setImmediate(r));
    expect(log.backlog).toBe(50); // the remainder waits for the timer
    for (let i = 250; i < 280; i++) log.record(event(i));
    await log.flush();
    expect(sizes).toEqual([100, 100, 80]);
    expect(await verifyAuditChain(store)).toMatchObject({ ok: true, records: 280 });
    await log.close();
    await store.close();
  });
});
