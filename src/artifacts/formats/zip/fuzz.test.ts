import { readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { scanBytes } from '../../scan/engine.js';
import { VECTORS } from '../compressed/testdata.js';
import { buildTar } from '../tar/testing.js';
import { buildZip } from './testing.js';
import { seededRandom as rng } from '../../../core/index.js';

const CORPUS = join(import.meta.dirname, '../../../../test/fixtures/corpus');
const PICKLE = Buffer.from([0x80, 0x02, 0x4b, 0x01, 0x2e]);
const NPY = Buffer.concat([
  Buffer.from('\x93NUMPY\x01\x00\x76\x00', 'latin1'),
  Buffer.from("{'descr': '<i4', 'fortran_order': False, 'shape': (3,), }".padEnd(117, ' ') + '\n'),
  Buffer.alloc(12, 1),
]);

/** Seeds: corpus archives and arrays, plus generated zips, tars and compressed streams. */
function seeds(): Array<[string, Buffer]> {
  const out: Array<[string, Buffer]> = [];
  for (const dir of [
    'picklescan/data',
    'picklescan/data2',
    'modelscan/data',
    'modelaudit/samples/archives',
  ]) {
    for (const f of readdirSync(join(CORPUS, dir))) {
      const b = readFileSync(join(CORPUS, dir, f));
      if (/\.(zip|npz|npy|pt|bin)$/.test(f) && b.length < 300_000) out.push([`${dir}/${f}`, b]);
    }
  }
  const inner = buildZip([{ name: 'x.pkl', data: PICKLE }]);
  out.push(
    [
      'zip/deflate',
      buildZip([
        { name: 'a/data.pkl', data: PICKLE, method: 8 },
        { name: 'a/data/0', data: 'zz' },
      ]),
    ],
    ['zip/zip64', buildZip([{ name: 'data.pkl', data: PICKLE, method: 8 }], { zip64: true })],
    [
      'zip/descriptor',
      buildZip([{ name: 'd.pkl', data: PICKLE, method: 8, dataDescriptor: true }], {
        noCentralDirectory: true,
      }),
    ],
    [
      'zip/nested',
      buildZip([
        { name: 'inner.zip', data: inner, method: 8 },
        { name: 'e.npy', data: NPY, encrypted: true },
      ]),
    ],
    [
      'zip/prefixed',
      buildZip([{ name: 'p.pkl', data: PICKLE }], { prefix: Buffer.from('#!/bin/sh\nexit 0\n') }),
    ],
    ['npy/v1', NPY],
    [
      'tar/ustar',
      buildTar([
        { name: 'pickle', data: PICKLE },
        { name: 'storages', data: PICKLE },
      ]),
    ],
    [
      'tar/gnu',
      buildTar([{ name: `${'x/'.repeat(60)}a.pkl`, data: PICKLE, gnuLongName: true }], { flavor: 'gnu' }),
    ],
    ['tar/pax', buildTar([{ name: 'p/a.pkl', data: PICKLE, paxPath: true, base256Size: true }])],
    ['gz/tar', gzipSync(buildTar([{ name: 'a.pkl', data: PICKLE }]))],
    ['zlib', deflateSync(Buffer.concat([PICKLE, Buffer.alloc(2000)]))],
  );
  for (const [k, v] of Object.entries(VECTORS)) out.push([`vector/${k}`, Buffer.from(v, 'base64')]);
  return out;
}

const EXTREME32 = [0xffffffff, 0, 0x7fffffff, 0x80000000, 0xfffffffe, 1];
/** Offsets of length and offset fields after a signature: local, central, end record. */
const FIELDS: Record<string, number[]> = {
  '0304': [18, 22, 26, 28],
  '0102': [20, 24, 28, 30, 32, 42],
  '0506': [10, 12, 16, 20],
  '0606': [24, 32, 40, 48],
};

/** Applies one random mutation; returns its description. */
function mutate(b: Buffer, r: () => number): [Buffer, string] {
  const m = Buffer.from(b);
  const at = (n: number): number => Math.floor(r() * Math.max(1, m.length - n));
  const kind = Math.floor(r() * 8);
  if (kind === 0) {
    for (let k = 1 + Math.floor(r() * 8); k > 0; k--) {
      const p = at(1);
      m[p] = (m[p] ?? 0) ^ (1 << Math.floor(r() * 8));
    }
    return [m, 'bit flips'];
  }
  if (kind === 1) return [m.subarray(0, at(0)), 'truncate'];
  if (kind === 2 && m.length >= 4) {
    const v = EXTREME32[Math.floor(r() * EXTREME32.length)] ?? 0;
    m.writeUInt32LE(v, at(4));
    return [m, `u32 ${v}`];
  }
  if (kind === 3 && m.length >= 8) {
    m.writeBigUInt64LE(r() < 0.5 ? 2n ** 63n : 2n ** 53n, at(8));
    return [m, 'u64 huge'];
  }
  if (kind === 4) {
    const sigs: Array<[number, number[]]> = [];
    for (let i = m.indexOf('PK'); i >= 0; i = m.indexOf('PK', i + 1)) {
      const f = FIELDS[m.subarray(i + 2, i + 4).toString('hex')];
      if (f) sigs.push([i, f]);
    }
    const pick = sigs[Math.floor(r() * sigs.length)];
    if (pick) {
      const off = pick[0] + (pick[1][Math.floor(r() * pick[1].length)] ?? 0);
      if (off + 4 <= m.length) m.writeUInt32LE(EXTREME32[Math.floor(r() * EXTREME32.length)] ?? 0, off);
      return [m, `zip field @${off}`];
    }
  }
  if (kind === 5 && m.length >= 512) {
    const size =
      r() < 0.5
        ? Buffer.from([0x80, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])
        : Buffer.from('77777777777\0');
    size.copy(m, 124);
    return [m, 'tar size'];
  }
  if (kind === 6 && m.length > 16) {
    const p = at(16);
    return [
      Buffer.concat([m.subarray(0, p), m.subarray(p, p + 1 + Math.floor(r() * 64)), m.subarray(p)]),
      'duplicate chunk',
    ];
  }
  const p = at(8);
  m.fill(r() < 0.5 ? 0 : 0xff, p, Math.min(m.length, p + 1 + Math.floor(r() * 32)));
  return [m, 'fill range'];
}

describe('fuzz: mutated archives, arrays and compressed streams', () => {
  it('never throws and only reports findings or typed errors', async () => {
    const limits = { maxInflateBytes: 4 << 20, timeoutMs: 3000, maxMembers: 500 };
    const before = readdirSync(tmpdir()).filter((n) => n.startsWith('warden-spool-')).length;
    const r = rng(0x5eed);
    const bad: string[] = [];
    let cases = 0;
    const started = Date.now();
    for (const [name, seed] of seeds()) {
      for (let i = 0; i < 80; i++) {
        const [bytes, how] = mutate(seed, r);
        cases++;
        try {
          const res = await scanBytes(name, bytes, { limits });
          const err = res.item.error;
          if (err && (typeof err.code !== 'string' || err.code === 'INTERNAL'))
            bad.push(`${name} (${how}): ${err.code} ${err.message}`);
        } catch (e) {
          bad.push(`${name} (${how}): threw ${String(e)}`);
        }
      }
    }
    expect(bad.slice(0, 10)).toEqual([]);
    expect(cases).toBeGreaterThanOrEqual(3000);
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(readdirSync(tmpdir()).filter((n) => n.startsWith('warden-spool-')).length).toBe(before);
  });
});
