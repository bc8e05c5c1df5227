import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bufferSource } from '../../../core/index.js';
import { bunzipInto } from './bzip2.js';
import { lz4Into } from './lz4.js';
import { lzmaAloneInto } from './lzma.js';
import { Spool } from './spool.js';
import { SAMPLE_LENGTH, SAMPLE_SHA256, VECTORS, sampleText } from './testdata.js';
import { xzInto } from './xz.js';

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
const vector = (name: string): Buffer => Buffer.from(VECTORS[name] ?? '', 'base64');
const noop = (): void => {};

function drain(spool: Spool): Buffer {
  const out = Buffer.alloc(spool.size);
  spool.readInto(out, 0, out.length, 0);
  return out;
}

describe('decoders', () => {
  it('sampleText matches the vectors plaintext', () => {
    const t = sampleText(7000);
    expect(t.length).toBe(SAMPLE_LENGTH);
    expect(sha(t)).toBe(SAMPLE_SHA256);
  });

  it.each(['lzmaAlone', 'lzmaAloneExtreme'])('decodes %s', (name) => {
    const spool = new Spool();
    const r = lzmaAloneInto(bufferSource(vector(name)), spool, noop);
    expect(r.streams).toBe(1);
    expect(sha(drain(spool))).toBe(SAMPLE_SHA256);
  });

  it('decodes bzip2', () => {
    const spool = new Spool();
    bunzipInto(bufferSource(vector('bzip2')), spool, noop);
    expect(sha(drain(spool))).toBe(SAMPLE_SHA256);
  });

  it.each(['lz4Linked', 'lz4Independent'])('decodes %s', (name) => {
    const spool = new Spool();
    lz4Into(bufferSource(vector(name)), spool, noop);
    expect(sha(drain(spool))).toBe(SAMPLE_SHA256);
  });

  it('decodes xz', async () => {
    const spool = new Spool();
    await xzInto(bufferSource(vector('xz')), spool, noop);
    expect(sha(drain(spool))).toBe(SAMPLE_SHA256);
  });
});
