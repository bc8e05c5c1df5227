import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { pgTestUrl } from '../../src/core/store/testing.js';
import { AuditLog, openGatewayStore, verifyAuditChain, type AuditEvent } from '../../src/gateway/index.js';

// the writer thread runs compiled code, so this test takes the built module (npm test builds first)
const built = pathToFileURL(resolve(import.meta.dirname, '../../dist/gateway/audit/writer.js')).href;
const { workerWriter } = (await import(built)) as typeof import('../../src/gateway/audit/writer.js');

const dir = mkdtempSync(join(tmpdir(), 'warden-audit-thread-'));
const pg = pgTestUrl('gw_audit_thread');
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await pg.drop();
});

const event = (i: number): AuditEvent => ({
  actor: `p${i % 3}`,
  action: 'infer',
  resource: 'mnist',
  decision: 'allow',
  status: 200,
  detail: { i, note: 'x'.repeat(i % 7) },
});

describe.each([
  ['sqlite', () => `sqlite:${join(dir, 't.db')}`],
  ['postgres', () => pg.url],
])('audit writer thread (%s)', (_n, url) => {
  it('commits every record from its own thread and interleaves with an inline writer into one chain', async () => {
    const store = await openGatewayStore(url());
    const writer = await workerWriter(url());
    expect(writer).toBeDefined();
    const threaded = new AuditLog(store, { batchSize: 100, flushMs: 2, writer: writer! });
    const inline = new AuditLog(store, { batchSize: 30, flushMs: 1 });
    for (let i = 0; i < 3000; i++) (i % 3 ? threaded : inline).record(event(i));
    await Promise.all([threaded.flush(), inline.flush()]);
    expect(threaded.written + inline.written).toBe(3000);
    expect(await verifyAuditChain(store)).toMatchObject({ ok: true, records: 3000, lastSeq: 3000 });
    await threaded.close();
    await inline.close();
    await store.close();
  });
});
