import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { looksLikePickle } from './detect.js';
import { callPickle, picklePy, py } from './samples.js';

const corpus = (rel: string) =>
  readFileSync(fileURLToPath(new URL(`../../../../test/fixtures/corpus/${rel}`, import.meta.url)));
const head = (b: Uint8Array) => Buffer.from(b.subarray(0, 4096));
const detect = (b: Uint8Array) => looksLikePickle(head(b), b.length);

describe('looksLikePickle', () => {
  it('accepts PROTO 2-5 headers at once', () => {
    for (let p = 2; p <= 5; p++) expect(detect(Uint8Array.of(0x80, p))).toBe(true);
    expect(detect(Uint8Array.of(0x80, 6, 0x4e, 0x2e))).toBe(false);
  });

  it('accepts headerless protocol 0/1 pickles that dry-run cleanly', () => {
    expect(detect(callPickle('os', 'system', ['id'], 0))).toBe(true);
    expect(detect(callPickle('os', 'system', ['id'], 1))).toBe(true);
    expect(detect(picklePy([1, 2, 3], 0))).toBe(true);
    expect(detect(picklePy(py.dict({ a: 'b' }), 1))).toBe(true);
    for (const f of [
      'picklescan/data/benign0_v0.pkl',
      'picklescan/data/malicious0.pkl',
      'picklescan/data/malicious1_v0.pkl',
    ])
      expect(detect(corpus(f)), f).toBe(true);
  });

  it('accepts broken pickles that still start with whole opcodes', () => {
    expect(detect(corpus('picklescan/data/broken_model.pkl'))).toBe(true);
    expect(detect(corpus('picklescan/data/malicious-invalid-bytes.pkl'))).toBe(true);
    // a long protocol 0 list whose end is past the 4 KiB head
    const long = picklePy(
      Array.from({ length: 2000 }, (_, i) => i),
      0,
    );
    expect(looksLikePickle(head(long), long.length)).toBe(true);
  });

  it('rejects text, JSON and other formats', () => {
    const texts = [
      '{"model_type": "bert"}',
      '[1, 2, 3]',
      'Note: this is a README\n',
      'Iteration 1\nloss 0.5\n',
      '(define (f x) x)',
      'cat\nfoo bar\nbaz\n',
      '(c) 2024 Example Corp\nAll rights reserved\n',
      'Xmas tree',
      'False',
      'K',
      '',
      'NUMPY',
      'MZ\x90\x00\x03',
    ];
    for (const t of texts) expect(detect(Buffer.from(t, 'latin1')), JSON.stringify(t)).toBe(false);
    expect(detect(corpus('picklescan/data/not_a_pickle.bin'))).toBe(false);
    expect(detect(corpus('picklescan/data/bad_pytorch.pt'))).toBe(false);
  });

  it('never throws on random input', () => {
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
    for (let i = 0; i < 2000; i++) {
      const b = Uint8Array.from({ length: 1 + (i % 64) }, rnd);
      expect(() => looksLikePickle(Buffer.from(b), b.length + (i % 3) * 100)).not.toThrow();
    }
  });
});
