import { describe, expect, it } from 'vitest';
import { scanBytes, scanFile } from '../../scan/engine.js';
import { checkAgainstLabel, corpusEntries } from '../text/testing.js';
import { detectSafetensors } from './scanner.js';
import { buildSafetensors, encodeSafetensorsHeader } from './writer.js';

const T = [
  { name: 'a', dtype: 'F32', shape: [2, 3] },
  { name: 'b', dtype: 'BF16', shape: [4] },
];

function withHeader(header: unknown, dataSize: number): Buffer {
  return Buffer.concat([encodeSafetensorsHeader(header), Buffer.alloc(dataSize)]);
}

async function ids(buf: Buffer): Promise<string[]> {
  const r = await scanBytes('t.safetensors', buf);
  return r.findings.map((f) => `${f.id}:${f.severity}`);
}

describe('safetensors detection', () => {
  it('detects a valid file and rejects near misses', () => {
    const good = buildSafetensors(T);
    expect(detectSafetensors(good.subarray(0, 4096), good.length)).toBe(true);
    const bad = Buffer.from(good);
    bad[8] = 0x5b; // '['
    expect(detectSafetensors(bad, bad.length)).toBe(false);
    const huge = Buffer.from(good);
    huge.writeBigUInt64LE(2n ** 40n);
    expect(detectSafetensors(huge, huge.length)).toBe(false);
    const spaced = Buffer.concat([Buffer.from([6, 0, 0, 0, 0, 0, 0, 0]), Buffer.from('  {}  ')]);
    expect(detectSafetensors(spaced, spaced.length)).toBe(true);
  });
});

describe('safetensors scanner', () => {
  it('reports a valid file clean', async () => {
    const r = await scanBytes('ok.safetensors', buildSafetensors(T, { format: 'pt' }));
    expect(r.item.format).toBe('safetensors');
    expect(r.item.status).toBe('clean');
    expect(r.metrics['safetensors_tensors']).toBe(2);
  });

  it('flags out-of-bounds and overlapping tensors as high', async () => {
    const oob = { a: { dtype: 'U8', shape: [100], data_offsets: [0, 100] } };
    expect(await ids(withHeader(oob, 10))).toContain('safetensors.offset-out-of-bounds:high');
    const overlap = {
      a: { dtype: 'U8', shape: [8], data_offsets: [0, 8] },
      b: { dtype: 'U8', shape: [8], data_offsets: [4, 12] },
    };
    expect(await ids(withHeader(overlap, 12))).toContain('safetensors.overlapping-tensors:high');
  });

  it('flags structural problems as medium', async () => {
    const h = {
      __metadata__: { n: 3 },
      a: { dtype: 'F99', shape: [1], data_offsets: [0, 1] },
      b: { dtype: 'F32', shape: [-1], data_offsets: [1, 5] },
      c: { dtype: 'F32', shape: [3], data_offsets: [5, 9] },
      d: 'nope',
      e: { dtype: 'F32', shape: [1], data_offsets: [9] },
    };
    const found = await ids(withHeader(h, 20));
    expect(found).toEqual(
      expect.arrayContaining([
        'safetensors.invalid-metadata:medium',
        'safetensors.invalid-tensor:medium',
        'safetensors.size-mismatch:medium',
        'safetensors.unaccounted-data:medium',
      ]),
    );
    expect(found.every((f) => f.endsWith(':medium'))).toBe(true);
  });

  it('flags duplicate keys', async () => {
    const json =
      '{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}';
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(json.length));
    expect(await ids(Buffer.concat([len, Buffer.from(json), Buffer.alloc(1)]))).toContain(
      'safetensors.duplicate-key:medium',
    );
  });

  it('handles sub-byte and huge shapes without overflow', async () => {
    const h = {
      a: { dtype: 'F4', shape: [3], data_offsets: [0, 2] },
      b: { dtype: 'F32', shape: [2 ** 40, 2 ** 40], data_offsets: [2, 6] },
    };
    expect(await ids(withHeader(h, 6))).toEqual([
      'safetensors.size-mismatch:medium',
      'safetensors.size-mismatch:medium',
    ]);
  });

  it('rejects bad header lengths with typed errors', async () => {
    const file = buildSafetensors(T);
    const absurd = Buffer.from(file);
    absurd.writeBigUInt64LE(2n ** 63n);
    let r = await scanBytes('x', absurd, { format: 'safetensors' });
    expect(r.item.error?.code).toBe('FORMAT_INVALID');
    const past = Buffer.from(file);
    past.writeBigUInt64LE(BigInt(file.length));
    r = await scanBytes('x', past, { format: 'safetensors' });
    expect(r.item.error?.code).toBe('TRUNCATED');
    r = await scanBytes('x', file, { format: 'safetensors', limits: { maxTextBytes: 16 } });
    expect(r.item.error?.code).toBe('LIMIT_EXCEEDED');
  });

  it('refuses deeply nested headers before parsing', async () => {
    const deep = `{"a":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(deep.length));
    const r = await scanBytes('x', Buffer.concat([len, Buffer.from(deep)]));
    expect(r.item.error?.code).toBe('DEPTH_EXCEEDED');
  });

  it('rates code-like metadata medium and markup low, never high', async () => {
    const r = await scanBytes(
      'm.safetensors',
      buildSafetensors(T, { a: 'import os; os.system("id")', b: '<script>alert(1)</script>', c: 'plain' }),
    );
    const sev = r.findings.map((f) => `${f.id}:${f.severity}`);
    expect(sev).toEqual(['safetensors.suspicious-metadata:medium', 'safetensors.suspicious-metadata:low']);
  });

  it('runs the Jinja rules on templates in metadata', async () => {
    const r = await scanBytes(
      'm.safetensors',
      buildSafetensors(T, { chat_template: '{{ cycler.__init__.__globals__.os.popen("id").read() }}' }),
    );
    expect(r.findings.some((f) => f.id === 'jinja.ssti-chain' && f.severity === 'critical')).toBe(true);
  });

  it('scans bytes appended after the last tensor', async () => {
    const file = buildSafetensors(T);
    const appended = Buffer.concat([file, Buffer.from('{"chat_template": "{{ x.__class__.__mro__ }}"}')]);
    const r = await scanBytes('p.safetensors', appended);
    const found = r.findings.map((f) => f.id);
    expect(found).toContain('safetensors.unaccounted-data');
    expect(found).toContain('jinja.class-walk');
  });
});

describe('corpus: safetensors', () => {
  const entries = corpusEntries(['safetensors']);
  it.each(entries.map((e) => [e.rel, e] as const))('%s', async (_rel, entry) => {
    const r = await scanFile(entry.path);
    expect(r.item.format).toBe('safetensors');
    expect(checkAgainstLabel(entry, r)).toBeNull();
    if (entry.category === 'suspicious-metadata')
      expect(r.findings.map((f) => f.id)).toContain('safetensors.suspicious-metadata');
    if (entry.category === 'benign') expect(r.item.status).toBe('clean');
  });
});
