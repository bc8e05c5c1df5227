import { describe, expect, it } from 'vitest';
import { bufferSource } from '../../../core/index.js';
import { ArtifactError } from '../../errors.js';
import { scanBytes } from '../../scan/engine.js';
import { recordingContext } from '../zip/test-context.js';
import { checksumOk, detectTar, parseNumber, parsePax } from './header.js';
import { tarScanner } from './scanner.js';
import { buildTar, type BuildTarOptions, type TarEntrySpec } from './testing.js';

const PICKLE = Buffer.from([0x80, 0x02, 0x4b, 0x01, 0x2e]);

async function scan(entries: TarEntrySpec[], opts: BuildTarOptions = {}, limits = {}) {
  const rec = recordingContext({ limits });
  let error: unknown = null;
  try {
    await tarScanner.scan(bufferSource(buildTar(entries, opts)), rec.ctx);
  } catch (e) {
    error = e;
  }
  return { ...rec, error };
}

describe('tar header fields', () => {
  it('parses octal and base-256 numbers and bounds them', () => {
    expect(parseNumber(Buffer.from('0000644\0'))).toBe(0o644);
    expect(parseNumber(Buffer.from('  12 \0  '))).toBe(0o12);
    expect(parseNumber(Buffer.from('\0\0\0\0'))).toBe(0);
    expect(parseNumber(Buffer.from('12x4'))).toBeNull();
    expect(parseNumber(Buffer.from([0x80, 0, 0, 0, 0, 0, 0, 1, 0]))).toBe(256);
    expect(() => parseNumber(Buffer.from([0xff, 0xff]))).toThrow(ArtifactError);
    expect(() =>
      parseNumber(Buffer.from([0x80, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])),
    ).toThrow(/beyond 2\^53/);
  });

  it('verifies checksums and detects ustar, gnu and v7 archives', () => {
    for (const flavor of ['ustar', 'gnu', 'v7'] as const) {
      const t = buildTar([{ name: 'a.txt', data: 'x' }], { flavor });
      expect(checksumOk(t.subarray(0, 512))).toBe(true);
      expect(detectTar(t)).toBe(true);
    }
    expect(detectTar(buildTar([{ name: 'a', data: 'x', badChecksum: true }]))).toBe(false);
    expect(detectTar(Buffer.alloc(1024))).toBe(false);
  });

  it('parses pax records and stops at malformed ones', () => {
    const p = parsePax(Buffer.from('18 path=a/b/c.pkl\n12 size=100\n9 bad\n'));
    expect(p.get('path')).toBe('a/b/c.pkl');
    expect(p.get('size')).toBe('100');
    expect(parsePax(Buffer.from('999 path=x\n')).size).toBe(0);
  });
});

describe('tar scanner', () => {
  it('dispatches legacy torch members: pickle as pickle, storages/tensors speculatively', async () => {
    const r = await scan([
      { name: 'sys_info', data: PICKLE },
      { name: 'pickle', data: PICKLE },
      { name: 'storages', data: Buffer.concat([PICKLE, Buffer.alloc(64, 1)]) },
      { name: 'tensors', data: PICKLE },
      { name: 'dir', type: '5' },
      { name: 'x.pkl', data: PICKLE },
    ]);
    expect(r.error).toBeNull();
    expect(r.nested.map((n) => [n.name, n.format, n.speculative])).toEqual([
      ['sys_info', undefined, undefined],
      ['pickle', 'pickle', undefined],
      ['storages', 'pickle', true],
      ['tensors', 'pickle', true],
      ['x.pkl', 'pickle', undefined],
    ]);
    expect(r.nested[2]?.size).toBe(69);
    expect(r.metrics['tar_members']).toBe(6);
  });

  it('honours pax and GNU long names and base-256 sizes', async () => {
    const long = `${'d/'.repeat(80)}model.pkl`;
    const r = await scan([
      { name: long, data: PICKLE, paxPath: true },
      { name: `${long}.2`, data: 'abc', gnuLongName: true, base256Size: true },
    ]);
    expect(r.nested.map((n) => [n.name, n.data.toString('latin1')])).toEqual([
      [long, PICKLE.toString('latin1')],
      [`${long}.2`, 'abc'],
    ]);
  });

  it('flags traversal in names and link targets', async () => {
    const r = await scan([
      { name: '../../etc/cron.d/x', data: 'x' },
      { name: 'link', type: '2', linkName: '/etc/passwd' },
      { name: 'ok', type: '2', linkName: 'sibling' },
    ]);
    expect(r.findings.map((f) => [f.id, f.severity, f.location?.member])).toEqual([
      ['tar.path-traversal', 'high', '../../etc/cron.d/x'],
      ['tar.path-traversal', 'high', 'link'],
    ]);
  });

  it('reports truncated members after scanning what is there', async () => {
    const r = await scan([{ name: 'a.pkl', data: PICKLE, declaredSize: 4096 }], { noEndBlocks: true });
    expect((r.error as ArtifactError).code).toBe('TRUNCATED');
    expect(r.nested[0]?.size).toBe(512); // the padded block that is present
  });

  it('stops at a bad checksum after the first header, and at maxMembers', async () => {
    const bad = await scan([
      { name: 'a', data: 'x' },
      { name: 'b', data: 'y', badChecksum: true },
    ]);
    expect(bad.ids()).toEqual(['tar.bad-header']);
    const many = await scan(
      Array.from({ length: 5 }, (_, i) => ({ name: `f${i}`, data: 'x' })),
      {},
      { maxMembers: 2 },
    );
    expect((many.error as ArtifactError).code).toBe('LIMIT_EXCEEDED');
    expect(many.nested).toHaveLength(2);
  });

  it('is detected and scanned through the engine, also inside gzip', async () => {
    const { gzipSync } = await import('node:zlib');
    const tar = buildTar([{ name: 'archive/data.pkl', data: PICKLE }]);
    for (const bytes of [tar, gzipSync(tar)]) {
      const r = await scanBytes('t', bytes);
      expect(r.item.error).toBeUndefined();
      expect(r.metrics['tar_members']).toBe(1);
    }
  });
});
