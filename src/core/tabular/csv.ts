import { WardenError } from '../errors.js';

/** Bounds every tabular reader enforces while it reads, so hostile files fail fast with a typed error. */
export interface TableLimits {
  /** Bytes read from the source, in total. */
  maxBytes: number;
  /** Data rows (the header does not count). */
  maxRows: number;
  maxColumns: number;
  /** Characters in one field (CSV) or one line (JSONL). */
  maxFieldChars: number;
}

export const DEFAULT_TABLE_LIMITS: TableLimits = {
  maxBytes: 1 << 30,
  maxRows: 5_000_000,
  maxColumns: 10_000,
  maxFieldChars: 1 << 20,
};

/** Error codes of the tabular readers (shared by every domain that reads CSV or JSONL). */
export type TableErrorCode = 'TABLE_INVALID' | 'LIMIT_EXCEEDED';

export function tableError(code: TableErrorCode, message: string): WardenError<TableErrorCode> {
  return new WardenError(code, message, { kind: code === 'LIMIT_EXCEEDED' ? 'limit' : 'input' });
}

const QUOTE = 34;
const CR = 13;
const LF = 10;

/**
 * An RFC 4180 CSV tokenizer fed text in chunks of any size: quoted fields may span chunks and lines,
 * `""` is an escaped quote, CRLF, LF and lone CR end records. Records come out as soon as they are
 * complete, so memory holds at most one record plus one chunk.
 */
export class CsvTokenizer {
  private field = '';
  private record: string[] = [];
  private inQuotes = false;
  private afterQuote = false; // just saw the closing quote of a quoted field
  private fieldStarted = false;
  private pendingCr = false;
  private line = 1;
  private readonly delim: number;

  constructor(
    private readonly limits: Pick<TableLimits, 'maxColumns' | 'maxFieldChars'>,
    delimiter = ',',
  ) {
    if (delimiter.length !== 1 || delimiter === '"' || delimiter === '\n' || delimiter === '\r')
      throw tableError('TABLE_INVALID', `invalid CSV delimiter ${JSON.stringify(delimiter)}`);
    this.delim = delimiter.charCodeAt(0);
  }

  /** The line the tokenizer is on (1-based), for error messages. */
  get lineNumber(): number {
    return this.line;
  }

  /** Consumes a chunk; calls `onRecord` for every record completed inside it. */
  push(text: string, onRecord: (r: string[], line: number) => void): void {
    let start = 0; // start of the pending run of plain characters in `text`
    const flushRun = (end: number): void => {
      if (end > start) this.append(text.slice(start, end));
    };
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (this.pendingCr) {
        this.pendingCr = false;
        if (c === LF) {
          start = i + 1;
          continue;
        }
      }
      if (this.inQuotes) {
        if (c === QUOTE) {
          flushRun(i);
          this.inQuotes = false;
          this.afterQuote = true;
          start = i + 1;
        } else if (c === LF) this.line++;
        continue;
      }
      if (this.afterQuote) {
        if (c === QUOTE) {
          // "" inside a quoted field: one literal quote, and the field goes on
          this.append('"');
          this.inQuotes = true;
          this.afterQuote = false;
          start = i + 1;
          continue;
        }
        if (c !== this.delim && c !== LF && c !== CR)
          throw tableError('TABLE_INVALID', `line ${this.line}: text after a closing quote`);
        this.afterQuote = false;
      }
      if (c === this.delim) {
        flushRun(i);
        this.endField();
        start = i + 1;
      } else if (c === LF || c === CR) {
        flushRun(i);
        this.endRecord(onRecord);
        this.line++;
        if (c === CR) this.pendingCr = true;
        start = i + 1;
      } else if (c === QUOTE && !this.fieldStarted) {
        this.inQuotes = true;
        this.fieldStarted = true;
        start = i + 1;
      } else this.fieldStarted = true;
    }
    flushRun(text.length);
  }

  /** Ends the input: a last record without a newline is emitted; an open quote is an error. */
  end(onRecord: (r: string[], line: number) => void): void {
    if (this.inQuotes) throw tableError('TABLE_INVALID', `line ${this.line}: unterminated quoted field`);
    if (this.fieldStarted || this.afterQuote || this.field !== '' || this.record.length > 0)
      this.endRecord(onRecord);
  }

  private append(s: string): void {
    this.fieldStarted = true;
    if (this.field.length + s.length > this.limits.maxFieldChars)
      throw tableError(
        'LIMIT_EXCEEDED',
        `line ${this.line}: a field is longer than ${this.limits.maxFieldChars} characters`,
      );
    this.field += s;
  }

  private endField(): void {
    if (this.record.length >= this.limits.maxColumns)
      throw tableError('LIMIT_EXCEEDED', `line ${this.line}: more than ${this.limits.maxColumns} columns`);
    this.record.push(this.field);
    this.field = '';
    this.fieldStarted = false;
    this.afterQuote = false;
  }

  private endRecord(onRecord: (r: string[], line: number) => void): void {
    const blank = this.record.length === 0 && !this.fieldStarted && this.field === '' && !this.afterQuote;
    if (blank) return; // empty lines carry no record
    this.endField();
    const r = this.record;
    this.record = [];
    onRecord(r, this.line);
  }
}
