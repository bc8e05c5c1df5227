import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isWardenError } from '../errors.js';
import { seededRandom } from '../random.js';
import { parseTable, readTable } from './table.js';

const DIR = join(import.meta.dirname, '../../../test/fixtures/parquet');
const N = 100;
const day = (i: number) => new Date(Date.UTC(2024, 0, 1 + i)).toISOString();
const code = async (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (e: unknown) => (isWardenError(e) ? e.code : `untyped: ${String(e)}`),
  );

describe('Parquet tables', () => {
  it.each(['snappy', 'zstd', 'gzip', 'none'])(
    'reads every flat type of a %s file written by pyarrow',
    async (c) => {
      const t = await readTable(join(DIR, `rows-${c}.parquet`));
      expect(t.rows).toBe(N);
      expect(t.columns).toEqual(['id', 'score', 'flag', 'name', 'cat', 'day', 'small']);
      const col = (n: string) => t.data.get(n)!;
      const idx = Array.from({ length: N }, (_, i) => i);
      expect(col('id')).toEqual(idx);
      expect(col('score')).toEqual(idx.map((i) => i / 8));
      expect(col('flag')).toEqual(idx.map((i) => i % 3 === 0));
      expect(col('name')).toEqual(idx.map((i) => (i % 7 === 0 ? null : `n${i}`)));
      expect(col('cat')).toEqual(idx.map((i) => 'abc'[i % 3]));
      expect(col('day')).toEqual(idx.map(day));
      expect(col('small')).toEqual(idx.map((i) => i - 50));
    },
  );

  it('keeps only the requested columns, sniffs the format and reads bytes in memory', async () => {
    const bytes = readFileSync(join(DIR, 'rows-snappy.parquet'));
    const t = await parseTable(bytes, 'parquet', { columns: ['small', 'id'] });
    expect(t.columns).toEqual(['small', 'id']);
    expect(t.data.get('id')![99]).toBe(99);
    const nested = join(DIR, 'nested.parquet');
    expect(await code(readTable(nested))).toBe('TABLE_INVALID');
    expect((await readTable(nested, { columns: ['score'] })).rows).toBe(N);
    expect(await code(readTable(nested, { columns: ['nope'] }))).toBe('TABLE_INVALID');
  });

  it('enforces the row, byte and column limits from the footer, before decoding', async () => {
    const p = join(DIR, 'rows-snappy.parquet');
    expect(await code(readTable(p, { limits: { maxRows: 99 } }))).toBe('LIMIT_EXCEEDED');
    expect(await code(readTable(p, { limits: { maxBytes: 1000 } }))).toBe('LIMIT_EXCEEDED');
    expect(await code(readTable(p, { limits: { maxColumns: 3 } }))).toBe('LIMIT_EXCEEDED');
    expect(await code(parseTable(Buffer.from('PAR1PAR1'), 'parquet'))).toBe('TABLE_INVALID');
    expect(await code(parseTable(Buffer.from('id\n1\n'), 'parquet'))).toBe('TABLE_INVALID');
  });

  it('fuzz: mutated files give a table or a typed error, never anything else', async () => {
    const rand = seededRandom(7);
    for (const c of ['snappy', 'zstd', 'gzip', 'none']) {
      const orig = readFileSync(join(DIR, `rows-${c}.parquet`));
      for (let k = 0; k < 250; k++) {
        const b = Buffer.from(orig);
        const flips = 1 + Math.floor(rand() * 4);
        for (let f = 0; f < flips; f++) {
          // half the mutations hit the footer, where the decoder takes its sizes and offsets from
          const at =
            rand() < 0.5
              ? b.length - 1 - Math.floor(rand() * Math.min(800, b.length))
              : Math.floor(rand() * b.length);
          b[at] = rand() < 0.5 ? b[at]! ^ (1 << Math.floor(rand() * 8)) : Math.floor(rand() * 256);
        }
        const cut = rand() < 0.1 ? b.subarray(0, Math.floor(rand() * b.length)) : b;
        const r = await code(parseTable(cut, 'parquet'));
        expect(['ok', 'TABLE_INVALID', 'LIMIT_EXCEEDED']).toContain(r);
      }
    }
  });
});
