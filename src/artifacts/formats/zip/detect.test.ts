import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { WardenError, bufferSource } from '../../../core/index.js';
import { scanBytes } from '../../scan/engine.js';
import { buildTar } from '../tar/testing.js';
import { detectZip } from './detect.js';
import { findDirectory, readCentralDirectory } from './directory.js';
import { zipScanner } from './scanner.js';
import { recordingContext } from './test-context.js';
import { buildZip } from './testing.js';
import { findDescriptor } from './walk.js';

const PICKLE = Buffer.from([0x80, 0x02, 0x4b, 0x01, 0x2e]);
const noop = (): void => {};

describe('zip detection', () => {
  const zip = buildZip([{ name: 'a/data.pkl', data: PICKLE }]);

  it('accepts local headers, empty archives and spanning markers at offset 0', () => {
    expect(detectZip(zip, zip.length)).toBe(true);
    const empty = buildZip([]);
    expect(detectZip(empty, empty.length)).toBe(true);
    const spanned = Buffer.concat([Buffer.from('PK\x07\x08', 'latin1'), zip]);
    expect(detectZip(spanned, spanned.length)).toBe(true);
  });

  it('accepts junk before a plausible local header, but not other formats that embed one', () => {
    const prefixed = Buffer.concat([Buffer.from('MZ self-extractor stub\n'), zip]);
    expect(detectZip(prefixed, prefixed.length)).toBe(true);
    const tar = buildTar([{ name: 'model.zip', data: zip }]);
    expect(detectZip(tar, tar.length)).toBe(false);
    const polyglot = Buffer.concat([Buffer.from([0x80, 0x02]), zip]);
    expect(detectZip(polyglot, polyglot.length)).toBe(false);
    expect(detectZip(Buffer.from('text mentioning PK\x03\x04 once'.padEnd(64)), 64)).toBe(false);
  });
});

describe('zip records', () => {
  it('picks the real end record when the comment holds a fake one', () => {
    const fake = Buffer.from('PK\x05\x06'.padEnd(22, '\x00'), 'latin1');
    const zip = buildZip([{ name: 'x.txt', data: 'x' }], {
      comment: `${fake.toString('latin1')} more comment`,
    });
    const { dir } = findDirectory(bufferSource(zip));
    expect(dir?.valid).toBe(true);
    expect(readCentralDirectory(bufferSource(zip), dir!, 10, noop).entries.map((e) => e.name)).toEqual([
      'x.txt',
    ]);
  });

  it('still scans members when a fake empty end record ends the file (what Python would read)', async () => {
    const fake = Buffer.from('PK\x05\x06'.padEnd(22, '\x00'), 'latin1');
    const zip = buildZip([{ name: 'x.pkl', data: PICKLE }], { comment: fake.toString('latin1') });
    const rec = recordingContext();
    await zipScanner.scan(bufferSource(zip), rec.ctx);
    expect(rec.nested.map((n) => n.name)).toEqual(['x.pkl']);
    expect(rec.ids()).toContain('zip.local-only-member');
  });

  it('finds ZIP64 end records and maps prepended data with a delta', () => {
    const zip = buildZip([{ name: 'x.txt', data: 'x' }], { zip64: true, prefix: Buffer.alloc(100, 0x41) });
    const { dir } = findDirectory(bufferSource(zip));
    expect(dir).toMatchObject({ zip64: true, valid: true, delta: 100 });
  });

  it('finds data descriptors by matching the size to the distance', () => {
    const zip = buildZip([{ name: 'a.bin', data: Buffer.alloc(300, 0x50), dataDescriptor: true }], {
      noCentralDirectory: true,
    });
    const dataStart = 30 + 'a.bin'.length;
    expect(findDescriptor(bufferSource(zip), dataStart, zip.length, noop)).toEqual({
      compSize: 300,
      length: 16,
    });
  });
});

describe('zip scanner: torch-style and nested archives', () => {
  it('reads torch-style members (bit 3, zero local sizes) without false alarms', async () => {
    const rec = recordingContext();
    const zip = buildZip(
      [
        { name: 'archive/data.pkl', data: PICKLE, dataDescriptor: true },
        { name: 'archive/data/0', data: Buffer.alloc(1000), dataDescriptor: true },
        { name: 'archive/version', data: '3\n', dataDescriptor: true },
      ],
      { zip64: true },
    );
    await zipScanner.scan(bufferSource(zip), rec.ctx);
    expect(rec.findings).toEqual([]);
    expect(rec.nested.map((n) => [n.name, n.size])).toEqual([
      ['archive/data.pkl', 5],
      ['archive/version', 2],
    ]);
  });

  it('reports central entries whose local header is missing', async () => {
    const zip = buildZip([{ name: 'gone.pkl', data: PICKLE }]);
    zip.write('XX', 0, 'latin1');
    const rec = recordingContext();
    await zipScanner.scan(bufferSource(zip), rec.ctx);
    expect(rec.ids()).toEqual(['zip.missing-local-header']);
    expect(rec.nested).toEqual([]);
  });

  it('ends the scan with TIMEOUT once the deadline has passed', async () => {
    const rec = recordingContext({ deadline: Date.now() - 1 });
    await expect(
      zipScanner.scan(bufferSource(buildZip([{ name: 'a', data: 'b' }])), rec.ctx),
    ).rejects.toThrow(WardenError);
  });

  it('recurses into zips inside zips and gzip inside zips through the engine', async () => {
    const inner = buildZip([{ name: 'inner.pkl', data: PICKLE }]);
    const outer = buildZip([
      { name: 'inner.zip', data: inner, method: 8 },
      { name: 'model.pkl.gz', data: gzipSync(PICKLE) },
    ]);
    const r = await scanBytes('outer.zip', outer);
    expect(r.item.error).toBeUndefined();
    expect(r.metrics['zip_members_scanned']).toBe(3);
    expect(r.metrics['decompressed_bytes']).toBe(PICKLE.length);
  });
});
