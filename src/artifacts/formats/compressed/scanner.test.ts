import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { deflateSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { bufferSource } from '../../../core/index.js';
import { scanBytes } from '../../scan/engine.js';
import { recordingContext } from '../zip/test-context.js';
import { detectUnscannable } from './archive.js';
import { detectCompression } from './detect.js';
import { compressedScanner } from './scanner.js';
import { OutputCapReached, Spool } from './spool.js';
import { VECTORS, sampleText } from './testdata.js';

const PICKLE = Buffer.from([0x80, 0x02, 0x4b, 0x01, 0x2e]);
const vector = (name: string): Buffer => Buffer.from(VECTORS[name] ?? '', 'base64');
const spoolDirs = (): string[] => readdirSync(tmpdir()).filter((n) => n.startsWith('warden-spool-'));

/** joblib's legacy 'ZF' layout: 'ZF', hex length padded to 19 characters, zlib stream. */
const zf = (data: Buffer): Buffer =>
  Buffer.concat([Buffer.from(`ZF0x${data.length.toString(16)}`.padEnd(21, ' ')), deflateSync(data)]);

async function scan(bytes: Buffer, limits = {}) {
  const rec = recordingContext({ limits });
  let error: unknown = null;
  try {
    await compressedScanner.scan(bufferSource(bytes), rec.ctx);
  } catch (e) {
    error = e;
  }
  return { ...rec, error };
}

describe('compression detection', () => {
  it.each([
    ['gzip', gzipSync(PICKLE)],
    ['zlib', deflateSync(PICKLE, { level: 1 })],
    ['zlib', deflateSync(PICKLE, { level: 3 })],
    ['zlib', deflateSync(PICKLE)],
    ['zlib', deflateSync(PICKLE, { level: 9 })],
    ['joblib-zf', zf(PICKLE)],
    ['bzip2', vector('bzip2')],
    ['xz', vector('xz')],
    ['lzma', vector('lzmaAlone')],
    ['lz4', vector('lz4Linked')],
  ])('detects %s', (kind, bytes) => {
    expect(detectCompression(bytes.subarray(0, 4096))).toBe(kind);
  });

  it('does not take text that starts like a zlib header for zlib', () => {
    expect(detectCompression(Buffer.from('x^2 + y^2 = z^2, a template line'))).toBeNull();
    expect(detectCompression(Buffer.from(']\0\0\x80\0 not lzma at all'))).toBeNull();
    expect(detectCompression(PICKLE)).toBeNull();
  });

  it('recognises archives it cannot open', () => {
    const names = [
      Buffer.from([0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c, 0, 4]),
      Buffer.from('Rar!\x1a\x07\x01\x00', 'latin1'),
      Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x24, 0x05]),
      Buffer.from('MSCF\0\0\0\0', 'latin1'),
    ].map((h) => detectUnscannable(h)?.name);
    expect(names).toEqual(['7z', 'RAR', 'zstd', 'CAB']);
  });
});

describe('compressed scanner', () => {
  it.each(['bzip2', 'xz', 'lzmaAlone', 'lz4Linked', 'lz4Independent'])(
    'decodes %s and scans the result',
    async (name) => {
      const r = await scan(vector(name));
      expect(r.error).toBeNull();
      expect(r.nested).toHaveLength(1);
      expect(r.nested[0]?.data.equals(sampleText(7000))).toBe(true);
    },
  );

  it('decodes multi-member gzip with optional header fields, and joblib ZF', async () => {
    const withName = gzipSync(PICKLE);
    withName[3] = 0x08; // FNAME: insert a zero-terminated name after the 10-byte header
    const named = Buffer.concat([
      withName.subarray(0, 10),
      Buffer.from('model.pkl\0'),
      withName.subarray(10),
    ]);
    const r = await scan(Buffer.concat([named, gzipSync(Buffer.from('tail'))]));
    expect(r.nested[0]?.data.toString('latin1')).toBe(`${PICKLE.toString('latin1')}tail`);
    const z = await scan(zf(PICKLE));
    expect(z.nested[0]?.data).toEqual(PICKLE);
  });

  it('reports a bomb past the cap, scans the decoded part speculatively, and cleans up', async () => {
    const before = spoolDirs().length;
    const r = await scan(gzipSync(Buffer.alloc(32 << 20)), { maxInflateBytes: 20 << 20 });
    expect(r.findings.map((f) => [f.id, f.severity])).toEqual([['compressed.bomb', 'high']]);
    expect(r.nested[0]).toMatchObject({ size: 20 << 20, speculative: true });
    expect(spoolDirs().length).toBe(before);
  });

  it.each([
    ['gzip', gzipSync(sampleText(7000))],
    ['bzip2', vector('bzip2')],
    ['lzma', vector('lzmaAlone')],
    ['lz4', vector('lz4Linked')],
  ])('stops %s at a small cap', async (_kind, bytes) => {
    const r = await scan(bytes, { maxInflateBytes: 1000 });
    expect(r.ids()).toEqual(['compressed.bomb']);
    expect(r.nested[0]?.size).toBe(1000);
  });

  it.each([
    ['gzip', gzipSync(sampleText(7000))],
    ['bzip2', vector('bzip2')],
    ['xz', vector('xz')],
    ['lzma', vector('lzmaAlone')],
    ['lz4', vector('lz4Linked')],
  ])('gives a typed error for truncated %s', async (_kind, bytes) => {
    const r = await scan(bytes.subarray(0, Math.floor(bytes.length / 2)));
    expect((r.error as { code?: string }).code).toMatch(/^(TRUNCATED|FORMAT_INVALID)$/);
  });

  it('goes through the engine: gzip around a pickle', async () => {
    const r = await scanBytes('m.joblib', gzipSync(PICKLE));
    expect(r.item.format).toBe('compressed');
    expect(r.item.error).toBeUndefined();
    expect(r.metrics['decompressed_bytes']).toBe(PICKLE.length);
  });
});

describe('spool', () => {
  it('moves to a temp file past its memory size, reads back, and enforces its cap', () => {
    const s = new Spool(3000, 1024);
    s.write(Buffer.alloc(1000, 1));
    expect(s.onDisk).toBe(false);
    s.write(Buffer.alloc(1000, 2));
    expect(s.onDisk).toBe(true);
    expect(() => s.write(Buffer.alloc(1500, 3))).toThrow(OutputCapReached);
    expect(s.size).toBe(3000);
    const back = s.toSource().read(990, 20);
    expect([...back]).toEqual([...Array<number>(10).fill(1), ...Array<number>(10).fill(2)]);
    s.dispose();
    expect(s.toSource().read(0, 10).length).toBe(0);
  });
});
