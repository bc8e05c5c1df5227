import { describe, expect, it } from 'vitest';
import { bufferSource } from '../../../core/index.js';
import { ArtifactError } from '../../errors.js';
import { scanBytes } from '../../scan/engine.js';
import { recordingContext } from '../zip/test-context.js';
import { buildZip } from '../zip/testing.js';
import { analyzeDescr, readNpyHeader } from './header.js';
import { parsePyLiteral } from './literal.js';
import { npyScanner } from './scanner.js';

/** A .npy file with the given header dict text and data (version 1.0 unless told). */
function npy(header: string, data: Uint8Array = new Uint8Array(0), major = 1): Buffer {
  const pre = major === 1 ? 10 : 12;
  let text = header;
  while ((pre + text.length + 1) % 64 !== 0) text += ' ';
  text += '\n';
  const h = Buffer.from(text, major === 3 ? 'utf8' : 'latin1');
  const len = Buffer.alloc(major === 1 ? 2 : 4);
  if (major === 1) len.writeUInt16LE(h.length);
  else len.writeUInt32LE(h.length);
  return Buffer.concat([Buffer.from('\x93NUMPY', 'latin1'), Buffer.from([major, 0]), len, h, data]);
}

const INT_HEADER = "{'descr': '<i4', 'fortran_order': False, 'shape': (3,), }";

describe('python literal parser', () => {
  it('parses the literals numpy headers use', () => {
    const v = parsePyLiteral("{'a': [1, -2, (3,), ()], \"b\": (True, None, u'x\\'y', b'z'), 'c': 7L}");
    expect(v.kind).toBe('dict');
    expect(JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x))).toContain(
      '"x\'y"',
    );
  });

  it.each([
    "{'a': 1.5}",
    "{'a': __import__('os')}",
    "{'a': 1",
    "{'a' 1}",
    "'unterminated",
    '['.repeat(100) + ']'.repeat(100),
    "{'a': 1} extra",
  ])('rejects %j with a typed error', (text) => {
    expect(() => parsePyLiteral(text)).toThrow(ArtifactError);
  });
});

describe('npy header', () => {
  it('reads versions 1.0, 2.0 and 3.0', () => {
    for (const major of [1, 2, 3]) {
      const h = readNpyHeader(bufferSource(npy(INT_HEADER, new Uint8Array(12), major)));
      expect(h.shape).toEqual([3n]);
      expect(h.dataOffset % 64).toBe(0);
    }
  });

  it('computes item sizes of simple and structured dtypes', () => {
    const d = (s: string) => analyzeDescr(parsePyLiteral(s));
    expect(d("'<f8'")).toEqual({ object: false, itemsize: 8n });
    expect(d("'<U10'")).toEqual({ object: false, itemsize: 40n });
    expect(d("'|O'").object).toBe(true);
    expect(d("[('x', '<i4'), ('y', '<f4', (2, 3))]")).toEqual({ object: false, itemsize: 28n });
    expect(d("[('Origin', '<i4'), ('obj', [('inner', '|O')])]").object).toBe(true);
  });

  it.each([
    ['wrong keys', "{'descr': '<i4', 'shape': (3,)}"],
    ['negative shape', "{'descr': '<i4', 'fortran_order': False, 'shape': (-1,)}"],
    ['bad dtype', "{'descr': 7, 'fortran_order': False, 'shape': (1,)}"],
    ['code', "{'descr': exec('x'), 'fortran_order': False, 'shape': (1,)}"],
  ])('rejects %s', (_what, header) => {
    expect(() => {
      const h = readNpyHeader(bufferSource(npy(header)));
      analyzeDescr(h.descr);
    }).toThrow(ArtifactError);
  });

  it('rejects truncated files and unknown versions', () => {
    const f = npy(INT_HEADER);
    expect(() => readNpyHeader(bufferSource(f.subarray(0, 30)))).toThrow(/ends early/);
    const v9 = Buffer.from(f);
    v9[6] = 9;
    expect(() => readNpyHeader(bufferSource(v9))).toThrow(/version 9/);
  });
});

describe('npy scanner', () => {
  it('hands the pickle of an object array to the pickle scanner', async () => {
    const pickle = Buffer.from([0x80, 0x03, 0x4e, 0x2e]);
    const rec = recordingContext();
    await npyScanner.scan(
      bufferSource(npy("{'descr': '|O', 'fortran_order': False, 'shape': (2,), }", pickle)),
      rec.ctx,
    );
    expect(rec.nested).toMatchObject([{ name: '<object-array>', format: 'pickle', data: pickle }]);
    expect(rec.findings.map((f) => [f.id, f.severity])).toEqual([['npy.object-array', 'info']]);
  });

  it('checks the data size of plain arrays without reading them', async () => {
    const ok = recordingContext();
    await npyScanner.scan(bufferSource(npy(INT_HEADER, new Uint8Array(12))), ok.ctx);
    expect(ok.findings).toEqual([]);
    const short = recordingContext();
    await npyScanner.scan(bufferSource(npy(INT_HEADER, new Uint8Array(4))), short.ctx);
    expect(short.findings.map((f) => [f.id, f.severity])).toEqual([['npy.size-mismatch', 'low']]);
    const long = recordingContext();
    await npyScanner.scan(bufferSource(npy(INT_HEADER, new Uint8Array(400))), long.ctx);
    expect(long.findings.map((f) => [f.id, f.severity])).toEqual([['npy.size-mismatch', 'medium']]);
  });

  it('scans npz members (stored and deflated) through detection', async () => {
    const npz = buildZip([
      { name: 'a.npy', data: npy(INT_HEADER, new Uint8Array(12)) },
      { name: 'b.npy', data: npy(INT_HEADER, new Uint8Array(12)), method: 8 },
    ]);
    const r = await scanBytes('x.npz', npz);
    expect(r.item).toMatchObject({ format: 'zip', status: 'clean' });
    expect(r.metrics['npy_arrays']).toBe(2);
  });
});
