import { createReadStream } from 'node:fs';
import { extname } from 'node:path';
import { toWardenError } from '../errors.js';
import { CsvTokenizer, DEFAULT_TABLE_LIMITS, tableError, type TableLimits } from './csv.js';
import { streamParquet } from './parquet.js';

/** One value of a table: CSV gives strings (empty = null), JSONL gives JSON scalars. */
export type Cell = string | number | boolean | null;
export type TableFormat = 'csv' | 'tsv' | 'jsonl' | 'parquet';

/** A table held by column: only the columns that were asked for are kept. */
export interface Table {
  columns: string[];
  rows: number;
  data: Map<string, Cell[]>;
}

export interface ReadTableOptions {
  /** Default: from the extension (.csv, .tsv, .jsonl/.ndjson), else sniffed from the first byte. */
  format?: TableFormat;
  /** Keep only these columns (each must exist); default all. */
  columns?: string[];
  limits?: Partial<TableLimits>;
}

/** Receives a table row by row while it streams: the header once, then every row in order. */
export interface TableSink {
  header(columns: string[]): void;
  /** A new column seen in a later JSONL row (earlier rows lack it). */
  addColumn?(name: string): void;
  row(values: Cell[], line: number): void;
}

export function formatFromName(name: string): TableFormat | undefined {
  const ext = extname(name).toLowerCase();
  if (ext === '.csv') return 'csv';
  if (ext === '.tsv' || ext === '.tab') return 'tsv';
  if (ext === '.jsonl' || ext === '.ndjson') return 'jsonl';
  if (ext === '.parquet' || ext === '.pq') return 'parquet';
  return undefined;
}

/**
 * Streams CSV/TSV/JSONL bytes into a sink within the limits. Bytes are decoded as strict UTF-8 (a BOM is
 * dropped); every failure is a typed WardenError (TABLE_INVALID or LIMIT_EXCEEDED) naming the line.
 */
export async function streamTable(
  chunks: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>,
  format: TableFormat,
  sink: TableSink,
  limitsIn: Partial<TableLimits> = {},
): Promise<void> {
  if (format === 'parquet')
    throw tableError('TABLE_INVALID', 'Parquet needs random access: read it from a file or from bytes');
  const limits = { ...DEFAULT_TABLE_LIMITS, ...limitsIn };
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const parser = format === 'jsonl' ? new JsonlRows(limits, sink) : new CsvRows(limits, sink, format);
  let bytes = 0;
  const decode = (c: Uint8Array | undefined, stream: boolean): string => {
    try {
      return decoder.decode(c, { stream });
    } catch {
      throw tableError('TABLE_INVALID', 'the data is not valid UTF-8');
    }
  };
  for await (const chunk of chunks) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    bytes += buf.length;
    if (bytes > limits.maxBytes)
      throw tableError('LIMIT_EXCEEDED', `the data is over ${limits.maxBytes} bytes`);
    parser.push(decode(buf, true));
  }
  parser.push(decode(undefined, false));
  parser.end();
}

class CsvRows {
  private readonly tok: CsvTokenizer;
  private width = -1;
  private rows = 0;
  private readonly emit = (r: string[], line: number): void => {
    if (this.width < 0) {
      checkHeader(r);
      this.width = r.length;
      this.sink.header(r);
      return;
    }
    if (r.length !== this.width)
      throw tableError('TABLE_INVALID', `line ${line}: ${r.length} fields, the header has ${this.width}`);
    if (++this.rows > this.limits.maxRows)
      throw tableError('LIMIT_EXCEEDED', `more than ${this.limits.maxRows} rows`);
    this.sink.row(
      r.map((v) => (v === '' ? null : v)),
      line,
    );
  };

  constructor(
    private readonly limits: TableLimits,
    private readonly sink: TableSink,
    format: TableFormat,
  ) {
    this.tok = new CsvTokenizer(limits, format === 'tsv' ? '\t' : ',');
  }
  push(text: string): void {
    this.tok.push(text, this.emit);
  }
  end(): void {
    this.tok.end(this.emit);
    if (this.width < 0) throw tableError('TABLE_INVALID', 'the CSV has no header row');
  }
}

function checkHeader(names: string[]): void {
  const seen = new Set<string>();
  for (const n of names) {
    if (seen.has(n)) throw tableError('TABLE_INVALID', `duplicate column name ${JSON.stringify(n)}`);
    seen.add(n);
  }
}

class JsonlRows {
  private pending = '';
  private line = 0;
  private rows = 0;
  private readonly index = new Map<string, number>();
  private started = false;

  constructor(
    private readonly limits: TableLimits,
    private readonly sink: TableSink,
  ) {}

  push(text: string): void {
    let from = 0;
    for (;;) {
      const nl = text.indexOf('\n', from);
      if (nl < 0) break;
      this.take(this.pending + text.slice(from, nl));
      this.pending = '';
      from = nl + 1;
    }
    this.pending += text.slice(from);
    if (this.pending.length > this.limits.maxFieldChars)
      throw tableError(
        'LIMIT_EXCEEDED',
        `line ${this.line + 1} is longer than ${this.limits.maxFieldChars} characters`,
      );
  }

  end(): void {
    if (this.pending.trim() !== '') this.take(this.pending);
    if (!this.started) this.sink.header([]);
  }

  private take(raw: string): void {
    this.line++;
    if (raw.length > this.limits.maxFieldChars)
      throw tableError(
        'LIMIT_EXCEEDED',
        `line ${this.line} is longer than ${this.limits.maxFieldChars} characters`,
      );
    const text = raw.trim();
    if (text === '') return;
    if (text[0] !== '{') throw tableError('TABLE_INVALID', `line ${this.line}: expected a JSON object`);
    let obj: unknown;
    try {
      obj = JSON.parse(text);
    } catch (e) {
      throw tableError('TABLE_INVALID', `line ${this.line}: invalid JSON (${toWardenError(e).message})`);
    }
    if (!this.started) {
      this.started = true;
      this.sink.header([]);
    }
    if (++this.rows > this.limits.maxRows)
      throw tableError('LIMIT_EXCEEDED', `more than ${this.limits.maxRows} rows`);
    const values: Cell[] = new Array<Cell>(this.index.size).fill(null);
    for (const [k, v] of Object.entries(obj as Record<string, unknown>)) {
      if (v !== null && typeof v === 'object')
        throw tableError('TABLE_INVALID', `line ${this.line}: field ${JSON.stringify(k)} is not a scalar`);
      let at = this.index.get(k);
      if (at === undefined) {
        if (this.index.size >= this.limits.maxColumns)
          throw tableError(
            'LIMIT_EXCEEDED',
            `line ${this.line}: more than ${this.limits.maxColumns} columns`,
          );
        at = this.index.size;
        this.index.set(k, at);
        this.sink.addColumn?.(k);
      }
      values[at] = v as Cell;
    }
    this.sink.row(values, this.line);
  }
}

/** Collects streamed rows into a column store, keeping only the wanted columns. */
export class TableCollector implements TableSink {
  readonly columns: string[] = [];
  readonly data = new Map<string, Cell[]>();
  private keep: number[] = []; // source position -> kept (1) or dropped (0)
  rows = 0;

  constructor(private readonly wanted?: Set<string>) {}

  header(columns: string[]): void {
    for (const c of columns) this.addColumn(c);
  }
  addColumn(name: string): void {
    const take = !this.wanted || this.wanted.has(name);
    this.keep.push(take ? 1 : 0);
    if (!take) return;
    this.columns.push(name);
    this.data.set(name, new Array<Cell>(this.rows).fill(null));
  }
  row(values: Cell[]): void {
    let k = 0;
    for (let i = 0; i < this.keep.length; i++) {
      if (this.keep[i] !== 1) continue;
      (this.data.get(this.columns[k++] as string) as Cell[]).push(values[i] ?? null);
    }
    this.rows++;
  }
  table(): Table {
    if (this.wanted) {
      const missing = [...this.wanted].filter((c) => !this.data.has(c));
      if (missing.length)
        throw tableError('TABLE_INVALID', `no column ${missing.map((m) => JSON.stringify(m)).join(', ')}`);
    }
    return { columns: this.columns, rows: this.rows, data: this.data };
  }
}

/** Reads a CSV, TSV, JSONL or Parquet file (streamed, bounded) into a column store. */
export async function readTable(path: string, opts: ReadTableOptions = {}): Promise<Table> {
  const format = opts.format ?? formatFromName(path) ?? (await sniffFormat(path));
  const sink = new TableCollector(opts.columns ? new Set(opts.columns) : undefined);
  try {
    if (format === 'parquet') await streamParquet({ path }, sink, opts.limits, opts.columns);
    else await streamTable(createReadStream(path, { highWaterMark: 1 << 16 }), format, sink, opts.limits);
  } catch (e) {
    throw toWardenError(e);
  }
  return sink.table();
}

/** Parses in-memory CSV/TSV/JSONL text (or Parquet bytes) the same way as readTable. */
export async function parseTable(
  text: string | Uint8Array,
  format: TableFormat,
  opts: ReadTableOptions = {},
): Promise<Table> {
  const sink = new TableCollector(opts.columns ? new Set(opts.columns) : undefined);
  const bytes = typeof text === 'string' ? Buffer.from(text) : text;
  if (format === 'parquet') await streamParquet({ bytes }, sink, opts.limits, opts.columns);
  else await streamTable([bytes], format, sink, opts.limits);
  return sink.table();
}

async function sniffFormat(path: string): Promise<TableFormat> {
  for await (const chunk of createReadStream(path, { start: 0, end: 63 })) {
    if ((chunk as Buffer).subarray(0, 4).toString('latin1') === 'PAR1') return 'parquet';
    const head = (chunk as Buffer)
      .toString('utf8')
      .replace(/^\uFEFF/, '')
      .trimStart();
    return head.startsWith('{') ? 'jsonl' : 'csv';
  }
  return 'csv';
}
