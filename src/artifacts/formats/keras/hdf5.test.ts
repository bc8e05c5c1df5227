import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanBytes, scanFile } from '../../scan/engine.js';
import { checkAgainstLabel, corpusEntries } from '../text/testing.js';
import { detectHdf5 } from './h5-scanner.js';

// testdata/*.h5 were written by h5py 3.16 (HDF5 1.14): legacy = default format (superblock v0,
// v1 object headers), latest = libver='latest' (superblock v3, OHDR v2), dense_* = attributes in
// dense storage (fractal heap), userblock = 512-byte user block before the superblock.
const DATA = join(import.meta.dirname, 'testdata');
const fixtures = readdirSync(DATA).filter((f) => f.endsWith('.h5'));

describe('HDF5 detection', () => {
  it('finds the signature at 0 and after a user block', () => {
    for (const f of fixtures) {
      const b = readFileSync(join(DATA, f));
      expect(detectHdf5(b.subarray(0, 4096), b.length), f).toBe(true);
    }
    expect(detectHdf5(Buffer.from('not hdf5 at all'), 15)).toBe(false);
  });
});

describe('HDF5 / Keras scanner on h5py-written files', () => {
  it.each(fixtures)('%s', async (name) => {
    const r = await scanFile(join(DATA, name));
    expect(r.item.format).toBe('hdf5');
    expect(r.item.error).toBeUndefined();
    const ids = r.findings.map((f) => `${f.id}:${f.severity}`);
    if (name.includes('lambda')) expect(ids).toEqual(['keras.lambda-layer:critical']);
    else expect(ids).toEqual([]);
    if (name.startsWith('dense_')) expect(r.metrics['hdf5_byte_search']).toBe(1);
    else expect(r.metrics['hdf5_byte_search']).toBeUndefined();
  });

  it('falls back to a byte search when the root header is broken', async () => {
    const b = readFileSync(join(DATA, 'legacy_lambda.h5'));
    const broken = Buffer.from(b);
    // superblock v0: root object header address of the root symbol table entry
    broken.writeUInt32LE(0xfffff0, 64);
    const r = await scanBytes('broken.h5', broken);
    expect(r.findings.map((f) => f.id)).toContain('keras.lambda-layer');
  });

  it('finds Lambda text by byte search when no attribute can be decoded', async () => {
    const broken = Buffer.from(readFileSync(join(DATA, 'legacy_lambda.h5')));
    broken.writeUInt32LE(0xfffff0, 64);
    const at = broken.indexOf('model_config\0');
    broken.write('xodel', at);
    const r = await scanBytes('broken.h5', broken);
    expect(r.findings.map((f) => `${f.id}:${f.severity}`)).toEqual(['keras.lambda-layer:high']);
    expect(r.findings[0]!.detail).toContain('byte search');
  });

  it('reports a broken file without a config as an error, not a crash', async () => {
    const b = Buffer.from(readFileSync(join(DATA, 'plain.h5')));
    b[8] = 9; // superblock version
    const r = await scanBytes('bad.h5', b);
    expect(r.item.error?.code).toBe('FORMAT_INVALID');
  });

  it('flags a config attribute that is not JSON', async () => {
    const b = Buffer.from(readFileSync(join(DATA, 'legacy_safe.h5')));
    const at = b.indexOf('{"class_name"');
    b.write('<', at);
    const r = await scanBytes('x.h5', b);
    expect(r.findings.map((f) => `${f.id}:${f.severity}`)).toEqual(['keras.invalid-config:medium']);
  });
});

describe('corpus: Keras H5', () => {
  const entries = corpusEntries(['keras-h5']);
  it.each(entries.map((e) => [e.rel, e] as const))('%s', async (_rel, entry) => {
    const r = await scanFile(entry.path);
    expect(r.item.format).toBe('hdf5');
    expect(checkAgainstLabel(entry, r)).toBeNull();
    if (entry.malicious) expect(r.findings.map((f) => f.id)).toContain('keras.lambda-layer');
    else expect(r.item.status).toBe('clean');
  });
});
