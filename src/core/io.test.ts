import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SeqReader, bufferSource, fileSource, type ByteSource } from './io.js';

const dir = mkdtempSync(join(tmpdir(), 'warden-io-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const bytes = Buffer.from(Array.from({ length: 64 }, (_, i) => i));
const path = join(dir, 'bytes.bin');
writeFileSync(path, bytes);

// Buffer- and file-backed sources, and windows of each, must answer every read the same way.
const sources: [string, () => ByteSource][] = [
  ['buffer', () => bufferSource(bytes)],
  ['file', () => fileSource(path)],
  [
    'buffer window',
    () => bufferSource(Buffer.concat([Buffer.alloc(5), bytes, Buffer.alloc(7)])).slice(5, 69),
  ],
  ['file window of window', () => fileSource(path).slice(0, 64).slice(0, 64)],
];

describe.each(sources)('ByteSource contract: %s', (_name, make) => {
  it('reads ranges, clamps at the end and returns nothing outside', () => {
    const s = make();
    expect(s.size).toBe(64);
    expect([...s.read(10, 4)]).toEqual([10, 11, 12, 13]);
    expect([...s.read(62, 10)]).toEqual([62, 63]);
    expect(s.read(64, 4).length).toBe(0);
    expect(s.read(-5, 10).length).toBe(0);
    expect(s.read(-(2 ** 63), 10).length).toBe(0);
    expect(s.read(3, -1).length).toBe(0);
    const t = new Uint8Array(4);
    expect(s.readInto(t, 0, 4, -1)).toBe(0);
    expect(s.readInto(t, 1, 3, 61)).toBe(3);
    expect([...t]).toEqual([0, 61, 62, 63]);
    s.close();
  });

  it('slices nest and stay in bounds', () => {
    const s = make();
    const w = s.slice(8, 24).slice(4, 100);
    expect(w.size).toBe(12);
    expect([...w.read(0, 3)]).toEqual([12, 13, 14]);
    expect(s.slice(70, 80).size).toBe(0);
    expect(s.slice(-10, 2).size).toBe(2);
    s.close();
  });

  it('SeqReader walks it sequentially across chunk edges', () => {
    const r = new SeqReader(make(), 5);
    expect(r.u8()).toBe(0);
    expect([...r.bytes(7)!]).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(r.skip(50)).toBe(true);
    expect(r.until(63, 10)?.length).toBe(5);
    expect(r.u8()).toBe(-1);
    expect(r.bytes(1)).toBeNull();
    expect(r.eof).toBe(true);
  });
});
