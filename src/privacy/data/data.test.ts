import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SecureRandom, isWardenError } from '../../core/index.js';
import { checkAnonymity } from './anonymity.js';
import { boundedLines } from './lines.js';
import {
  createDataKeyFile,
  decryptCell,
  encryptCell,
  loadDataKeys,
  protectFile,
  pseudonymize,
} from './protect.js';
import { scanData } from './scan.js';
import { openTable } from './table.js';

const dir = mkdtempSync(join(tmpdir(), 'warden-data-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

describe('k-anonymity and l-diversity', () => {
  it('match a hand count: groups of 3 and 2, sensitive values spread 2:1 and 1:1', async () => {
    const p = file('k.csv', 'zip,age,dx\n1,30,a\n1,30,a\n1,30,b\n2,40,c\n2,40,d\n');
    const r = await checkAnonymity(p, { quasiIdentifiers: ['zip', 'age'], sensitive: 'dx', k: 3, l: 2 });
    expect(r).toMatchObject({ rows: 5, classes: 2, k: 2, rowsBelowK: 2, distinctL: 2 });
    // entropy l of the 2:1 group: exp(-(2/3 ln 2/3 + 1/3 ln 1/3)) = 1.8899
    expect(r.entropyL).toBeCloseTo(Math.exp(-((2 / 3) * Math.log(2 / 3) + (1 / 3) * Math.log(1 / 3))), 12);
    expect(r.report.findings.map((f) => f.id)).toEqual(['privacy.data.k-anonymity']);
    await expect(checkAnonymity(p, { quasiIdentifiers: ['nope'] })).rejects.toThrow(/no column "nope"/);
    await expect(checkAnonymity(p, { quasiIdentifiers: ['zip', 'age'], maxClasses: 1 })).rejects.toThrow(
      /max-classes/,
    );
  });
});

describe('JSON lines', () => {
  it('scans and protects JSONL, keeping value types through encrypt and reveal', async () => {
    const src = file(
      'p.jsonl',
      '{"id":1,"email":"ann@example.org","score":0.5,"tags":["x"]}\n\n{"id":2,"email":"bob@example.com","extra":null}\r\n',
    );
    const scan = await scanData(src);
    expect(scan.rows).toBe(2);
    expect(scan.columns.find((c) => c.column === 'email')).toMatchObject({ values: 2, withPii: 2 });
    const keyFile = join(dir, 'k');
    createDataKeyFile(keyFile);
    const keys = loadDataKeys(keyFile);
    const enc = join(dir, 'enc.jsonl');
    const back = join(dir, 'back.jsonl');
    await protectFile(src, enc, { columns: ['email', 'score', 'tags'], mode: 'encrypt', keys });
    expect(readFileSync(enc, 'utf8')).not.toMatch(/example|0\.5/);
    await protectFile(enc, back, { columns: ['email', 'score', 'tags'], mode: 'reveal', keys });
    const rows = readFileSync(back, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as unknown);
    expect(rows).toEqual([
      { id: 1, email: 'ann@example.org', score: 0.5, tags: ['x'] },
      { id: 2, email: 'bob@example.com', extra: null },
    ]);
  });

  it('pseudonyms are keyed and stable; ciphertexts are bound to their column', () => {
    const a = loadDataKeys(file('a.key', 'aa'.repeat(32)));
    const b = loadDataKeys(file('b.key', 'bb'.repeat(32)));
    expect(pseudonymize(a, 'x')).toBe(pseudonymize(a, 'x'));
    expect(pseudonymize(a, 'x')).not.toBe(pseudonymize(b, 'x'));
    const t = encryptCell(a, 'email', 'v');
    expect(decryptCell(a, 'email', t)).toBe('v');
    expect(() => decryptCell(a, 'name', t)).toThrow(/does not authenticate/);
    expect(() => decryptCell(b, 'email', t)).toThrow(/does not authenticate/);
    expect(() => loadDataKeys(file('short.key', 'abc'))).toThrow(/256-bit/);
  });

  it('bounds line length before buffering a line', async () => {
    const lines = async (chunks: string[], max: number) => {
      const out: string[] = [];
      for await (const l of boundedLines(chunks, max, 'x')) out.push(l);
      return out;
    };
    expect(await lines(['a\r\nb', 'c\n', 'd'], 10)).toEqual(['a', 'bc', 'd']);
    await expect(lines(['x'.repeat(6), 'x'.repeat(6)], 10)).rejects.toThrow(/line 1 is over 10/);
  });

  it('fuzz: mutated JSONL and CSV files never throw anything but typed errors', async () => {
    const r = new SecureRandom('jsonl-fuzz');
    const seeds: [string, string][] = [
      ['f.jsonl', '{"a":"x@y.org","b":[1,{"c":null}]}\n{"a":"1 2","d":true}\n'],
      ['f.csv', 'a,b\n"x@y.org","1\n2"\n3,4\n'],
    ];
    const pieces = ['{', '}', '"', ',', '\n', '[', ':', '\\', 'a'];
    for (let k = 0; k < 300; k++) {
      const [name, seed] = seeds[k % 2] as [string, string];
      let t = seed;
      for (let e = 0; e < 1 + Math.floor(r.uniform() * 4); e++) {
        const at = Math.floor(r.uniform() * t.length);
        t =
          t.slice(0, at) +
          (pieces[Math.floor(r.uniform() * pieces.length)] as string) +
          t.slice(at + (r.uniform() < 0.5 ? 1 : 0));
      }
      const p = file(name, t);
      try {
        const table = await openTable(p);
        for await (const batch of table.rows) void batch;
        await scanData(p);
      } catch (e) {
        expect(isWardenError(e) && e.code, String(e)).toBe('PRIVACY_DATA_INVALID');
      }
    }
  });
});
