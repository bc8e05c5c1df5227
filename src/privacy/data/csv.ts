import { privacyError } from '../errors.js';

/** Bounds on what one CSV may hold; a file beyond them is refused, never read into memory whole. */
export interface CsvLimits {
  maxFieldChars: number;
  maxColumns: number;
  maxRecordChars: number;
}

export const CSV_LIMITS: CsvLimits = { maxFieldChars: 1 << 20, maxColumns: 10_000, maxRecordChars: 16 << 20 };

const enum S {
  FieldStart,
  Unquoted,
  Quoted,
  QuoteInQuoted,
  AfterCr,
}

const bad = (msg: string, line: number) => privacyError('PRIVACY_DATA_INVALID', `CSV line ${line}: ${msg}`);

/**
 * Streams RFC 4180 records out of text chunks split anywhere: quoted fields with "" escapes and line
 * breaks inside, CRLF, LF or CR line ends, a leading BOM dropped, blank lines skipped. A quote inside an
 * unquoted field is kept as text (common in the wild); a malformed quoted field is an error with its line.
 * Yields the records parsed from each chunk as one batch.
 */
export async function* parseCsv(
  chunks: AsyncIterable<string> | Iterable<string>,
  limits: Partial<CsvLimits> = {},
  delimiter = ',',
): AsyncGenerator<string[][]> {
  const lim = { ...CSV_LIMITS, ...limits };
  let state = S.FieldStart;
  let field = '';
  let record: string[] = [];
  let recordChars = 0;
  let line = 1;
  let first = true;
  // false while the current line is empty, so blank lines are skipped but a lone "" is a record
  let touched = false;
  const endField = (): void => {
    if (record.length >= lim.maxColumns) throw bad(`more than ${lim.maxColumns} columns`, line);
    recordChars += field.length;
    if (recordChars > lim.maxRecordChars)
      throw bad(`record longer than ${lim.maxRecordChars} characters`, line);
    record.push(field);
    field = '';
  };
  const grow = (s: string): void => {
    field += s;
    if (field.length > lim.maxFieldChars)
      throw bad(`field longer than ${lim.maxFieldChars} characters`, line);
  };
  for await (let chunk of chunks) {
    if (first && chunk.length) {
      if (chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1);
      first = false;
    }
    const out: string[][] = [];
    const endRecord = (): void => {
      endField();
      if (touched) out.push(record);
      record = [];
      recordChars = 0;
      touched = false;
    };
    let i = 0;
    const n = chunk.length;
    while (i < n) {
      const c = chunk[i] as string;
      switch (state) {
        case S.AfterCr:
          state = S.FieldStart;
          if (c === '\n') i++;
          continue;
        case S.FieldStart:
          if (!touched && (c === '\n' || c === '\r')) {
            i++;
            line++;
            state = c === '\r' ? S.AfterCr : S.FieldStart;
            continue;
          }
          touched = true;
          if (c === '"') {
            state = S.Quoted;
            i++;
          } else state = S.Unquoted;
          continue;
        case S.Unquoted: {
          let j = i;
          while (j < n) {
            const d = chunk[j];
            if (d === delimiter || d === '\n' || d === '\r') break;
            j++;
          }
          grow(chunk.slice(i, j));
          i = j;
          if (i < n) {
            const d = chunk[i];
            i++;
            if (d === delimiter) {
              endField();
              state = S.FieldStart;
            } else {
              endRecord();
              line++;
              state = d === '\r' ? S.AfterCr : S.FieldStart;
            }
          }
          continue;
        }
        case S.Quoted: {
          let j = i;
          while (j < n && chunk[j] !== '"') {
            if (chunk[j] === '\n') line++;
            j++;
          }
          grow(chunk.slice(i, j));
          i = j;
          if (i < n) {
            i++;
            state = S.QuoteInQuoted;
          }
          continue;
        }
        case S.QuoteInQuoted:
          i++;
          if (c === '"') {
            grow('"');
            state = S.Quoted;
          } else if (c === delimiter) {
            endField();
            state = S.FieldStart;
          } else if (c === '\n' || c === '\r') {
            endRecord();
            line++;
            state = c === '\r' ? S.AfterCr : S.FieldStart;
          } else throw bad(`unexpected ${JSON.stringify(c)} after the closing quote of a field`, line);
          continue;
      }
    }
    if (out.length) yield out;
  }
  if (state === S.Quoted) throw bad('the file ends inside a quoted field', line);
  if (state !== S.FieldStart || record.length > 0 || field !== '') {
    const out: string[][] = [];
    endField();
    if (touched) out.push(record);
    if (out.length) yield out;
  }
}

/** One field as RFC 4180 writes it: quoted when it holds the delimiter, a quote or a line break. */
export function csvField(v: string, delimiter = ','): string {
  return v.includes(delimiter) || v.includes('"') || v.includes('\n') || v.includes('\r') || v === ''
    ? `"${v.replaceAll('"', '""')}"`
    : v;
}

export function csvLine(fields: readonly string[], delimiter = ','): string {
  return `${fields.map((f) => csvField(f, delimiter)).join(delimiter)}\r\n`;
}
