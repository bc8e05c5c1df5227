import { describe, expect, it } from 'vitest';
import { SecureRandom, isWardenError } from '../../core/index.js';
import { csvLine, parseCsv } from './csv.js';

async function parse(chunks: string[], limits = {}): Promise<string[][]> {
  const out: string[][] = [];
  for await (const batch of parseCsv(chunks, limits)) out.push(...batch);
  return out;
}

/** Splits text at random points so that every state of the parser meets a chunk boundary. */
function split(text: string, r: SecureRandom): string[] {
  const parts: string[] = [];
  let i = 0;
  while (i < text.length) {
    const n = 1 + Math.floor(r.uniform() * 7);
    parts.push(text.slice(i, i + n));
    i += n;
  }
  return parts;
}

describe('CSV parser (RFC 4180)', () => {
  it('parses quotes, escaped quotes, embedded line breaks, CRLF/LF/CR ends, BOM and blank lines', async () => {
    const text = '\ufeffname,note\r\n"Doe, Jane","said ""hi""\nthen left"\n\nx,\ry,"" \n';
    expect(await parse([text].map((t) => t.replace('"" \n', '""\n')))).toEqual([
      ['name', 'note'],
      ['Doe, Jane', 'said "hi"\nthen left'],
      ['x', ''],
      ['y', ''],
    ]);
    expect(await parse(['a,b'])).toEqual([['a', 'b']]);
    expect(await parse(['""'])).toEqual([['']]);
    expect(await parse(['5\'10",ok\n'])).toEqual([['5\'10"', 'ok']]);
  });

  it('round-trips random tables through the writer, whatever the chunking', async () => {
    const r = new SecureRandom('csv');
    const alphabet = ['a', 'Z', ' ', ',', '"', '\n', '\r', 'é', '😀', '1'];
    for (let round = 0; round < 200; round++) {
      const cols = 1 + Math.floor(r.uniform() * 4);
      const rows = Array.from({ length: 1 + Math.floor(r.uniform() * 5) }, () =>
        Array.from({ length: cols }, () =>
          Array.from(
            { length: Math.floor(r.uniform() * 6) },
            () => alphabet[Math.floor(r.uniform() * 10)],
          ).join(''),
        ),
      );
      const text = rows.map((row) => csvLine(row)).join('');
      expect(await parse(split(text, r))).toEqual(rows);
    }
  });

  it('refuses malformed quoting and oversized input with typed errors that name the line', async () => {
    const code = async (chunks: string[], limits = {}) =>
      parse(chunks, limits).then(
        () => 'ok',
        (e: unknown) => (isWardenError(e) ? `${e.code}: ${e.message}` : `untyped: ${String(e)}`),
      );
    expect(await code(['a,b\n"x"y,z\n'])).toMatch(/PRIVACY_DATA_INVALID: CSV line 2: unexpected "y"/);
    expect(await code(['a\n"open'])).toMatch(/line 2: the file ends inside a quoted field/);
    expect(await code(['x'.repeat(100)], { maxFieldChars: 50 })).toMatch(/field longer than 50/);
    expect(await code(['a,'.repeat(20)], { maxColumns: 10 })).toMatch(/more than 10 columns/);
    expect(await code(['"', 'x'.repeat(60)], { maxFieldChars: 50 })).toMatch(/field longer/);
  });

  it('fuzz: mutated CSV never throws anything but the typed error', async () => {
    const r = new SecureRandom('fuzz');
    const seed = 'id,name,email\r\n1,"Doe, J","j@x.org"\r\n2,"A ""B""",\n3,"multi\nline",z\n';
    const bytes = ['"', ',', '\n', '\r', 'a', '\ufeff', '\u0000', '""'];
    for (let k = 0; k < 2000; k++) {
      let t = seed;
      const edits = 1 + Math.floor(r.uniform() * 6);
      for (let e = 0; e < edits; e++) {
        const at = Math.floor(r.uniform() * (t.length + 1));
        const op = r.uniform();
        const ins = bytes[Math.floor(r.uniform() * bytes.length)] as string;
        t =
          op < 0.4
            ? t.slice(0, at) + ins + t.slice(at)
            : op < 0.7
              ? t.slice(0, at) + t.slice(at + 1)
              : t.slice(0, at) + ins + t.slice(at + 1);
      }
      try {
        await parse(split(t, r), { maxFieldChars: 64, maxColumns: 8 });
      } catch (e) {
        expect(isWardenError(e) && e.code).toBe('PRIVACY_DATA_INVALID');
      }
    }
  });
});
