import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isWardenError } from '../errors.js';
import { seededRandom } from '../random.js';
import { parseTable, readTable, streamTable, TableCollector, type TableFormat } from './table.js';

const dir = mkdtempSync(join(tmpdir(), 'warden-table-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('CSV', () => {
  it('reads quotes, escaped quotes, embedded newlines, CRLF and empty cells', async () => {
    const t = await parseTable('a,b,c\r\n1,"x,y",\r\n"2","say ""hi""","l1\nl2"\n', 'csv');
    expect(t.columns).toEqual(['a', 'b', 'c']);
    expect(t.rows).toBe(2);
    expect(t.data.get('a')).toEqual(['1', '2']);
    expect(t.data.get('b')).toEqual(['x,y', 'say "hi"']);
    expect(t.data.get('c')).toEqual([null, 'l1\nl2']);
  });

  it('gives the same table whatever the chunking', async () => {
    const text = 'h1,h2\n"a""b",1\r\nc,"2\r\n3"\n\nd,\n';
    const whole = await parseTable(text, 'csv');
    for (let size = 1; size < text.length; size++) {
      const chunks: string[] = [];
      for (let i = 0; i < text.length; i += size) chunks.push(text.slice(i, i + size));
      const sink = new TableCollector();
      await streamTable(chunks, 'csv', sink);
      expect(sink.table()).toEqual(whole);
    }
  });

  it('keeps only the asked columns and names a missing one', async () => {
    const t = await parseTable('a,b\n1,2\n', 'csv', { columns: ['b'] });
    expect([...t.data.keys()]).toEqual(['b']);
    await expect(parseTable('a,b\n1,2\n', 'csv', { columns: ['z'] })).rejects.toMatchObject({
      code: 'TABLE_INVALID',
    });
  });

  it('rejects ragged rows, unterminated quotes, duplicate headers and bad UTF-8 with typed errors', async () => {
    for (const bad of ['a,b\n1\n', 'a\n"x\n', 'a,a\n1,2\n', 'a\n"x"y\n']) {
      await expect(parseTable(bad, 'csv')).rejects.toMatchObject({ code: 'TABLE_INVALID' });
    }
    await expect(parseTable(Buffer.from([0x61, 0x0a, 0xff, 0x0a]), 'csv')).rejects.toMatchObject({
      code: 'TABLE_INVALID',
    });
  });

  it('enforces byte, row, column and field bounds', async () => {
    const cases: [string, object][] = [
      ['a\n1\n2\n3\n', { maxRows: 2 }],
      ['a,b,c\n1,2,3\n', { maxColumns: 2 }],
      ['a\n12345\n', { maxFieldChars: 4 }],
      ['a\n1\n2\n', { maxBytes: 4 }],
    ];
    for (const [text, limits] of cases)
      await expect(parseTable(text, 'csv', { limits })).rejects.toMatchObject({ code: 'LIMIT_EXCEEDED' });
  });

  it('reads files, TSV by extension, and sniffs JSONL without an extension', async () => {
    writeFileSync(join(dir, 't.tsv'), 'x\ty\n1\t2\n');
    writeFileSync(join(dir, 'noext'), '\uFEFF{"x": 1}\n{"y": "b"}\n');
    expect((await readTable(join(dir, 't.tsv'))).data.get('y')).toEqual(['2']);
    const j = await readTable(join(dir, 'noext'));
    expect(j.columns).toEqual(['x', 'y']);
    expect(j.data.get('x')).toEqual([1, null]);
    expect(j.data.get('y')).toEqual([null, 'b']);
  });
});

describe('JSONL', () => {
  it('reads scalar objects and rejects nesting, non-objects and broken JSON', async () => {
    const t = await parseTable('{"a":1,"b":"x"}\n\n{"a":2.5,"b":null,"c":true}\n', 'jsonl');
    expect(t.data.get('a')).toEqual([1, 2.5]);
    expect(t.data.get('c')).toEqual([null, true]);
    for (const bad of ['{"a":{"b":1}}\n', '[1]\n', '{"a":\n'])
      await expect(parseTable(bad, 'jsonl')).rejects.toMatchObject({ code: 'TABLE_INVALID' });
    await expect(
      parseTable('{"a":"' + 'x'.repeat(100) + '"}', 'jsonl', { limits: { maxFieldChars: 50 } }),
    ).rejects.toMatchObject({
      code: 'LIMIT_EXCEEDED',
    });
  });
});

// Fuzz-style: mutated inputs either parse or fail with our typed errors; nothing else escapes.
describe('fuzz', () => {
  const seeds: [TableFormat, string][] = [
    ['csv', 'a,b,c\n1,"x,""y""",3\r\n4,,"multi\nline"\n7,8,9\n'],
    ['jsonl', '{"a":1,"b":"x"}\n{"a":2,"c":[1]}\n{"b":"\\u00e9"}\n'],
  ];
  const alphabet = [',', '"', '\n', '\r', '{', '}', ':', '[', '\\', 'a', '1', '\t', '\u00e9', '\uFEFF'];
  for (const [format, seed] of seeds) {
    it(`${format}: 1500 mutations never throw anything but a typed error`, async () => {
      const rnd = seededRandom(format === 'csv' ? 7 : 11);
      for (let k = 0; k < 1500; k++) {
        const chars = [...seed];
        const edits = 1 + Math.floor(rnd() * 6);
        for (let e = 0; e < edits; e++) {
          const at = Math.floor(rnd() * (chars.length + 1));
          const op = rnd();
          const ch = alphabet[Math.floor(rnd() * alphabet.length)] as string;
          if (op < 0.4) chars.splice(at, 0, ch);
          else if (op < 0.7) chars.splice(at, 1);
          else chars[at] = ch;
        }
        let bytes = Buffer.from(chars.join(''));
        if (rnd() < 0.1) bytes = Buffer.concat([bytes, Buffer.from([0xc3])]);
        try {
          await parseTable(bytes, format, { limits: { maxColumns: 8, maxFieldChars: 64 } });
        } catch (e) {
          if (!isWardenError(e)) throw e;
          expect(['TABLE_INVALID', 'LIMIT_EXCEEDED']).toContain(e.code);
        }
      }
    });
  }
});
