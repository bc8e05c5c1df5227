import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { scanBytes, type FileScanResult } from '../../src/artifacts/index.js';
import { seededRandom as rng } from '../../src/core/index.js';

// Hostile and broken inputs across every format: the outcome is always findings and/or a typed
// error on the item, within bounded time; nothing throws.
function u64(n: bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(n);
  return b;
}

function storedZip(name: string, data: Buffer): Buffer {
  const n = Buffer.from(name);
  const lh = Buffer.alloc(30);
  lh.writeUInt32LE(0x04034b50, 0);
  lh.writeUInt16LE(20, 4);
  lh.writeUInt32LE(data.length, 18);
  lh.writeUInt32LE(data.length, 22);
  lh.writeUInt16LE(n.length, 26);
  const cd = Buffer.alloc(46);
  cd.writeUInt32LE(0x02014b50, 0);
  cd.writeUInt16LE(20, 4);
  cd.writeUInt16LE(20, 6);
  cd.writeUInt32LE(data.length, 20);
  cd.writeUInt32LE(data.length, 24);
  cd.writeUInt16LE(n.length, 28);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(1, 8);
  eocd.writeUInt16LE(1, 10);
  eocd.writeUInt32LE(46 + n.length, 12);
  eocd.writeUInt32LE(30 + n.length + data.length, 16);
  return Buffer.concat([lh, n, data, cd, n, eocd]);
}

async function outcome(name: string, bytes: Buffer): Promise<FileScanResult> {
  const t0 = Date.now();
  const r = await scanBytes(name, bytes, { limits: { timeoutMs: 10_000 } });
  expect(Date.now() - t0).toBeLessThan(15_000);
  if (r.item.error) expect(typeof r.item.error.code).toBe('string');
  for (const f of r.findings) expect(['info', 'low', 'medium', 'high', 'critical']).toContain(f.severity);
  return r;
}

describe('bad input never crashes the scanner', () => {
  it('zero bytes, one byte, random bytes', async () => {
    expect((await outcome('empty', Buffer.alloc(0))).item.status).toBe('skipped');
    await outcome('one', Buffer.from([0x80]));
    const rand = rng(7);
    for (let i = 0; i < 200; i++) {
      const len = Math.floor(rand() * 4096);
      const b = Buffer.alloc(len);
      for (let j = 0; j < len; j++) b[j] = Math.floor(rand() * 256);
      await outcome(`random-${i}`, b);
    }
  });

  it('2^63 and 2^64-1 lengths in every length-prefixed header', async () => {
    const huge = [2n ** 63n, 2n ** 64n - 1n, 2n ** 53n + 1n, 0xffffffffn];
    for (const n of huge) {
      await outcome('safetensors', Buffer.concat([u64(n), Buffer.from('{"a":1}')]));
      await outcome('gguf', Buffer.concat([Buffer.from('GGUF'), Buffer.from([3, 0, 0, 0]), u64(n), u64(n)]));
      await outcome(
        'pickle-frame',
        Buffer.concat([Buffer.from([0x80, 4, 0x95]), u64(n), Buffer.from([0x8e]), u64(n)]),
      );
      await outcome(
        'pickle-binbytes8',
        Buffer.concat([Buffer.from([0x80, 4, 0x8e]), u64(n), Buffer.from('x.')]),
      );
      const npy = Buffer.concat([
        Buffer.from('\x93NUMPY', 'latin1'),
        Buffer.from([3, 0]),
        u64(n).subarray(0, 4),
      ]);
      await outcome('npy', npy);
    }
  });

  it('deep nesting: pickle marks, JSON, zip in zip', async () => {
    await outcome(
      'marks',
      Buffer.concat([Buffer.from([0x80, 2]), Buffer.alloc(200_000, 0x28), Buffer.from('.')]),
    );
    await outcome(
      'tuples',
      Buffer.concat([Buffer.from([0x80, 2]), Buffer.alloc(100_000, 0x29), Buffer.from('.')]),
    );
    await outcome('json', Buffer.from('['.repeat(100_000) + ']'.repeat(100_000)));
    let inner: Buffer = Buffer.from([0x80, 2, 0x4b, 1, 0x2e]);
    for (let i = 0; i < 20; i++) inner = storedZip(`level${i}.zip`, inner);
    const r = await outcome('zips', inner);
    expect(r.findings.some((f) => f.id === 'scan.depth-exceeded') || r.item.status === 'error').toBe(true);
  });

  it('a deflate bomb inside a zip is bounded', async () => {
    const bomb = deflateRawSync(Buffer.alloc(64 * 1024 * 1024));
    const n = Buffer.from('data.pkl');
    const lh = Buffer.alloc(30);
    lh.writeUInt32LE(0x04034b50, 0);
    lh.writeUInt16LE(20, 4);
    lh.writeUInt16LE(8, 8);
    lh.writeUInt32LE(bomb.length, 18);
    lh.writeUInt32LE(64 * 1024 * 1024, 22);
    lh.writeUInt16LE(n.length, 26);
    const r = await scanBytes('bomb.zip', Buffer.concat([lh, n, bomb]), {
      limits: { maxInflateBytes: 8 * 1024 * 1024 },
    });
    expect(r.findings.length > 0 || r.item.status === 'error').toBe(true);
  });
});
