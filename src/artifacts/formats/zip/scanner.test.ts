import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bufferSource } from '../../../core/index.js';
import { ArtifactError } from '../../errors.js';
import { SAMPLE_LENGTH, SAMPLE_SHA256, VECTORS } from '../compressed/testdata.js';
import { zipScanner } from './scanner.js';
import { recordingContext } from './test-context.js';
import { buildZip, type BuildZipOptions, type ZipMemberSpec } from './testing.js';

const PICKLE = Buffer.from([0x80, 0x02, 0x4b, 0x01, 0x2e]); // PROTO 2, BININT1 1, STOP

async function scan(members: ZipMemberSpec[], opts: BuildZipOptions = {}, limits = {}) {
  const rec = recordingContext({ limits });
  const bytes = buildZip(members, opts);
  let error: unknown = null;
  try {
    await zipScanner.scan(bufferSource(bytes), rec.ctx);
  } catch (e) {
    error = e;
  }
  return { ...rec, error, bytes };
}

describe('zip scanner: member dispatch', () => {
  it('scans every member, .pkl members as pickles, others by detection', async () => {
    const r = await scan([
      { name: 'model/data.pkl', data: PICKLE },
      { name: 'model/version', data: '3\n' },
      { name: 'notes.txt', data: 'hello', method: 8 },
    ]);
    expect(r.error).toBeNull();
    expect(r.nested.map((n) => [n.name, n.format])).toEqual([
      ['model/data.pkl', 'pickle'],
      ['model/version', undefined],
      ['notes.txt', undefined],
    ]);
    expect(r.nested[2]?.data.toString()).toBe('hello');
    expect(r.findings).toEqual([]);
    expect(r.metrics['zip_members']).toBe(3);
  });

  it('skips raw torch storages next to a data.pkl, whatever the top directory', async () => {
    const r = await scan([
      { name: 'unsafe_zip_pytorch/data.pkl', data: PICKLE },
      { name: 'unsafe_zip_pytorch/data/0', data: PICKLE },
      { name: 'unsafe_zip_pytorch/data/12', data: Buffer.alloc(64) },
      { name: 'other/data/1', data: PICKLE },
    ]);
    expect(r.nested.map((n) => n.name)).toEqual(['unsafe_zip_pytorch/data.pkl', 'other/data/1']);
    expect(r.metrics['zip_storages_skipped']).toBe(2);
  });

  it('reads deflated members lazily with the declared size', async () => {
    const big = randomBytes(4 << 20);
    const rec = recordingContext();
    let sizeSeen = 0;
    rec.ctx.scanNested = (_name, src) => {
      sizeSeen = src.size;
      src.read(0, 16);
      return Promise.resolve();
    };
    await zipScanner.scan(bufferSource(buildZip([{ name: 'a.bin', data: big, method: 8 }])), rec.ctx);
    expect(sizeSeen).toBe(big.length);
    expect(rec.metrics['zip_bytes_inflated']).toBeLessThan(big.length);
  });

  it('decodes bzip2 (12) and LZMA (14) members, as Python zipfile does', async () => {
    const bz = Buffer.from(VECTORS['bzip2'] ?? '', 'base64');
    const alone = Buffer.from(VECTORS['lzmaAlone'] ?? '', 'base64');
    // zip LZMA: u16 SDK version, u16 properties length, 5 properties bytes, raw stream (with end marker: bit 1)
    const lz = Buffer.concat([Buffer.from([9, 20, 5, 0]), alone.subarray(0, 5), alone.subarray(13)]);
    const r = await scan([
      { name: 'a.txt', data: bz, method: 12 },
      { name: 'b.txt', data: lz, method: 14, flags: 0x02 },
      { name: 'c.txt', data: lz, method: 14, uncompressedSize: SAMPLE_LENGTH }, // known size, marker anyway
    ]);
    expect(r.nested).toHaveLength(3);
    expect(r.findings).toEqual([]);
    for (const n of r.nested) expect(createHash('sha256').update(n.data).digest('hex')).toBe(SAMPLE_SHA256);
  });

  it('reports methods it cannot decode, high when the name says model', async () => {
    const r = await scan([
      { name: 'weights.pkl', data: 'x', method: 93 },
      { name: 'readme.txt', data: 'x', method: 9 },
    ]);
    expect(r.findings.map((f) => [f.id, f.severity])).toEqual([
      ['zip.unsupported-method', 'high'],
      ['zip.unsupported-method', 'medium'],
    ]);
    expect(r.nested).toEqual([]);
  });
});

describe('zip scanner: hidden and odd members', () => {
  it('finds members that only a local header shows', async () => {
    const r = await scan([
      { name: 'visible.txt', data: 'a' },
      { name: 'hidden.pkl', data: PICKLE, omitFromCentral: true },
    ]);
    expect(r.nested.map((n) => [n.name, n.format])).toContainEqual(['hidden.pkl', 'pickle']);
    expect(r.ids()).toContain('zip.local-only-member');
  });

  it('uses both names when local and central disagree', async () => {
    const r = await scan([{ name: 'data.pkl', localName: 'datap.kl', data: PICKLE }]);
    expect(r.nested[0]).toMatchObject({ name: 'data.pkl', format: 'pickle' });
    expect(r.ids()).toEqual(['zip.header-mismatch']);
  });

  it('scans local-header-only archives (no central directory)', async () => {
    const r = await scan(
      [
        { name: 'a.pkl', data: PICKLE, dataDescriptor: true },
        { name: 'b.pkl', data: PICKLE, method: 8, dataDescriptor: true, descriptorSignature: false },
        { name: 'c.txt', data: 'ccc' },
      ],
      { noCentralDirectory: true },
    );
    expect(r.error).toBeNull();
    expect(r.nested.map((n) => [n.name, n.data.toString('hex')])).toEqual([
      ['a.pkl', PICKLE.toString('hex')],
      ['b.pkl', PICKLE.toString('hex')],
      ['c.txt', Buffer.from('ccc').toString('hex')],
    ]);
    expect(r.ids()).toEqual(['zip.no-central-directory']);
  });

  it('tolerates bad CRCs and odd flag bits without findings', async () => {
    const r = await scan([
      { name: 'model/config.pkl', data: PICKLE, badCrc: true },
      { name: 'b.pkl', data: PICKLE, flags: 0x20 },
      { name: 'c.pkl', data: PICKLE, flags: 0x40 },
    ]);
    expect(r.findings).toEqual([]);
    expect(r.nested).toHaveLength(3);
  });

  it('reports duplicate and overlapping entries', async () => {
    const r = await scan([{ name: 'data.pkl', data: PICKLE }], { duplicateCentral: [0] });
    expect(r.ids()).toEqual(expect.arrayContaining(['zip.duplicate-name', 'zip.overlapping-members']));
  });

  it('handles ZIP64 records and prepended data', async () => {
    const r = await scan([{ name: 'data.pkl', data: PICKLE, method: 8 }], {
      zip64: true,
      prefix: Buffer.from('#!junk\n'),
    });
    expect(r.error).toBeNull();
    expect(r.nested.find((n) => n.name === 'data.pkl')?.data).toEqual(PICKLE);
    expect(r.ids()).toEqual(['zip.prefixed-data']);
    expect(r.nested.find((n) => n.name === '<prefix>')?.speculative).toBe(true);
  });

  it('refuses ZIP64 sizes of 2^53 and more with a typed error after scanning the rest', async () => {
    const r = await scan(
      [
        { name: 'ok.pkl', data: PICKLE },
        { name: 'huge.pkl', data: PICKLE, zip64Sizes: { comp: 2n ** 63n } },
      ],
      { zip64: true },
    );
    expect(r.error).toBeInstanceOf(ArtifactError);
    expect((r.error as ArtifactError).code).toBe('FORMAT_INVALID');
    expect(r.nested.map((n) => n.name)).toContain('ok.pkl');
  });
});

describe('zip scanner: encryption, traversal, limits', () => {
  it('rates encrypted members by name and still tries them speculatively', async () => {
    const r = await scan([
      { name: 'test.txt', data: 'zzzzzzzzzzzz', encrypted: true },
      { name: 'model/config.pkl', data: PICKLE, encrypted: true },
    ]);
    const sev = Object.fromEntries(
      r.findings.map((f) => [f.location?.member ?? '', [f.id, f.severity] as const]),
    );
    expect(sev).toEqual({
      'test.txt': ['zip.encrypted-member', 'medium'],
      'model/config.pkl': ['zip.encrypted-member', 'high'],
    });
    expect(r.nested.every((n) => n.speculative === true)).toBe(true);
  });

  it.each([
    ['../../../etc/evil.txt', 'high'],
    ['/abs/path.pkl', 'high'],
    ['C:/windows/x.dll', 'high'],
    ['a/../../b', 'high'],
    ['nul\0.pkl', 'high'],
    ['dir\\file.txt', 'medium'],
  ])('flags %j as path traversal (%s)', async (name, severity) => {
    const r = await scan([{ name, data: 'x' }]);
    expect(r.findings.find((f) => f.id === 'zip.path-traversal')?.severity).toBe(severity);
  });

  it('flags symlink members whose target escapes', async () => {
    const r = await scan([
      { name: 'link', data: '../../../../home/user/.ssh/authorized_keys', unixMode: 0o120777 },
      { name: 'ok-link', data: 'sibling.txt', unixMode: 0o120777 },
    ]);
    expect(r.findings.map((f) => [f.id, f.severity, f.location?.member])).toEqual([
      ['zip.path-traversal', 'high', 'link'],
    ]);
    expect(r.nested).toEqual([]);
  });

  it('stops at maxMembers with a LIMIT_EXCEEDED error after scanning that many', async () => {
    const members = Array.from({ length: 5 }, (_, i) => ({ name: `m${i}.txt`, data: `${i}` }));
    const r = await scan(members, {}, { maxMembers: 3 });
    expect((r.error as ArtifactError).code).toBe('LIMIT_EXCEEDED');
    expect(r.nested).toHaveLength(3);
  });

  it('reports a bomb when a member inflates past the cap, and stops', async () => {
    const r = await scan(
      [
        { name: 'bomb.bin', data: Buffer.alloc(8 << 20), method: 8 },
        { name: 'next.bin', data: Buffer.alloc(1 << 20), method: 8 },
      ],
      {},
      { maxInflateBytes: 1 << 20 },
    );
    const bomb = r.findings.find((f) => f.id === 'zip.bomb');
    expect(bomb?.severity).toBe('high');
    expect(r.metrics['zip_bytes_inflated']).toBeLessThanOrEqual(1 << 20);
    expect(r.metrics['zip_members_skipped_after_bomb']).toBe(1);
  });

  it('reports a ratio bomb past 16 MiB even under the cap', async () => {
    const rec = recordingContext();
    rec.ctx.scanNested = (_n, src) => {
      src.read(src.size - 1, 1);
      return Promise.resolve();
    };
    const zip = buildZip([{ name: 'zeros.bin', data: Buffer.alloc(40 << 20), method: 8 }]);
    await zipScanner.scan(bufferSource(zip), rec.ctx);
    expect(rec.findings.map((f) => f.id)).toEqual(['zip.bomb']);
    expect(rec.metrics['zip_bytes_inflated']).toBeLessThan(40 << 20);
  });

  it('survives truncation at every region of the archive', async () => {
    const zip = buildZip([
      { name: 'a.pkl', data: PICKLE, method: 8 },
      { name: 'b.txt', data: 'hello world' },
    ]);
    for (let n = 4; n < zip.length; n += 3) {
      const rec = recordingContext();
      try {
        await zipScanner.scan(bufferSource(zip.subarray(0, n)), rec.ctx);
      } catch (e) {
        expect(e).toBeInstanceOf(ArtifactError);
      }
    }
  });
});

describe('zip scanner: lazy inflation and the ratio check', () => {
  it('does not call a zero-filled array a bomb when only its header is read', async () => {
    const rec = recordingContext();
    const zip = buildZip([{ name: 'zeros.npy', data: Buffer.alloc(64 << 20), method: 8 }]);
    await zipScanner.scan(bufferSource(zip), rec.ctx);
    expect(rec.findings).toEqual([]);
    expect(rec.metrics['zip_bytes_inflated']).toBeLessThan(4 << 20); // the recorder reads 1 MiB
  });
});
