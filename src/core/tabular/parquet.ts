import { open, type FileHandle } from 'node:fs/promises';
import type { AsyncBuffer, FileMetaData, SchemaTree } from 'hyparquet';
import { isWardenError } from '../errors.js';
import { DEFAULT_TABLE_LIMITS, tableError, type TableLimits } from './csv.js';
import { toCell, validateChunk } from './parquet-pages.js';
import type { TableSink } from './table.js';

const MAGIC = 'PAR1';

/** Random access to the Parquet bytes: a file read in slices, or bytes already in memory. */
export type ParquetSource = { path: string } | { bytes: Uint8Array };

/**
 * Streams the flat columns of a Parquet file into a sink, one row group at a time. Hostile files
 * fail with typed errors before anything large is allocated: the footer's row, column and size
 * claims are checked against the limits, and every page header of a column that will be decoded is
 * walked first, so a page cannot claim more values or bytes than its column chunk and row group.
 */
export async function streamParquet(
  source: ParquetSource,
  sink: TableSink,
  limitsIn: Partial<TableLimits> = {},
  columns?: readonly string[],
): Promise<void> {
  const limits = { ...DEFAULT_TABLE_LIMITS, ...limitsIn };
  const file = await openSource(source);
  try {
    await wrap('the Parquet file is invalid', () => readAll(file.buffer, sink, limits, columns));
  } finally {
    await file.close();
  }
}

async function readAll(
  buf: AsyncBuffer,
  sink: TableSink,
  limits: TableLimits,
  columns?: readonly string[],
): Promise<void> {
  const hp = await import('hyparquet');
  if (buf.byteLength > limits.maxBytes)
    throw tableError('LIMIT_EXCEEDED', `the data is over ${limits.maxBytes} bytes`);
  await checkMagic(buf);
  const metadata = await wrap('the Parquet footer is invalid', () => hp.parquetMetadataAsync(buf));
  const wanted = pickColumns(hp.parquetSchema(metadata), metadata, limits, columns);
  const compressors = (await import('hyparquet-compressors')).compressors;
  let decoded = 0;
  for (const rg of metadata.row_groups) {
    for (const cc of rg.columns) {
      const meta = cc.meta_data;
      if (!meta || !wanted.includes(meta.path_in_schema[0] ?? '')) continue;
      decoded += Number(meta.total_uncompressed_size);
      if (decoded > limits.maxBytes)
        throw tableError('LIMIT_EXCEEDED', `the decoded columns are over ${limits.maxBytes} bytes`);
      await validateChunk(buf, meta, Number(rg.num_rows));
    }
  }
  sink.header([...wanted]);
  let start = 0;
  for (const rg of metadata.row_groups) {
    const end = start + Number(rg.num_rows);
    const rows = await wrap('a Parquet page is invalid', async () => {
      let out: unknown[][] = [];
      await hp.parquetRead({
        file: buf,
        metadata,
        columns: [...wanted],
        rowStart: start,
        rowEnd: end,
        compressors,
        onComplete: (r: unknown[][]) => (out = r),
      });
      return out;
    });
    if (rows.length !== end - start)
      throw tableError(
        'TABLE_INVALID',
        `row group at row ${start} decoded ${rows.length} rows, not ${end - start}`,
      );
    rows.forEach((r, i) =>
      sink.row(
        r.map((v, j) => toCell(v, wanted[j]!, start + i + 1)),
        start + i + 1,
      ),
    );
    start = end;
  }
}

/** The top-level columns to read: all of them (which must then be flat) or the requested ones. */
function pickColumns(
  tree: SchemaTree,
  metadata: FileMetaData,
  limits: TableLimits,
  requested?: readonly string[],
): string[] {
  const rows = Number(metadata.num_rows);
  if (!Number.isSafeInteger(rows) || rows < 0) throw tableError('TABLE_INVALID', 'the row count is invalid');
  if (rows > limits.maxRows) throw tableError('LIMIT_EXCEEDED', `more than ${limits.maxRows} rows`);
  const sum = metadata.row_groups.reduce((a, rg) => a + Number(rg.num_rows), 0);
  if (sum !== rows)
    throw tableError('TABLE_INVALID', `the row groups hold ${sum} rows, the footer says ${rows}`);
  if (tree.children.length > limits.maxColumns)
    throw tableError('LIMIT_EXCEEDED', `more than ${limits.maxColumns} columns`);
  const flat = new Map(
    tree.children.map((c) => [
      c.element.name,
      c.children.length === 0 && c.element.repetition_type !== 'REPEATED',
    ]),
  );
  const names = requested ?? [...flat.keys()];
  for (const n of names) {
    const isFlat = flat.get(n);
    if (isFlat === undefined) throw tableError('TABLE_INVALID', `no column ${JSON.stringify(n)}`);
    if (!isFlat)
      throw tableError(
        'TABLE_INVALID',
        `column ${JSON.stringify(n)} is nested (list, map or struct); pick flat columns with --columns`,
      );
  }
  if (new Set(names).size !== names.length) throw tableError('TABLE_INVALID', 'a column is named twice');
  return [...names];
}

async function checkMagic(buf: AsyncBuffer): Promise<void> {
  const n = buf.byteLength;
  const text = (ab: ArrayBuffer) => Buffer.from(ab).toString('latin1');
  if (n < 12 || text(await buf.slice(0, 4)) !== MAGIC || text(await buf.slice(n - 4, n)) !== MAGIC)
    throw tableError('TABLE_INVALID', 'not a Parquet file (PAR1 magic missing)');
}

/** Runs a step of the third-party decoder: anything it throws becomes one typed error. */
async function wrap<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (isWardenError(e)) throw e;
    const msg = e instanceof Error ? e.message : String(e);
    throw tableError('TABLE_INVALID', `${what}: ${msg.slice(0, 200)}`);
  }
}

async function openSource(source: ParquetSource): Promise<{ buffer: AsyncBuffer; close(): Promise<void> }> {
  if ('bytes' in source) {
    const b = source.bytes;
    return {
      buffer: {
        byteLength: b.byteLength,
        slice: (s: number, e?: number) =>
          copy(b.subarray(clamp(s, b.byteLength), clamp(e ?? b.byteLength, b.byteLength))),
      },
      close: async () => {},
    };
  }
  let fh: FileHandle;
  try {
    fh = await open(source.path, 'r');
  } catch (e) {
    throw tableError('TABLE_INVALID', `cannot read ${source.path}: ${(e as Error).message}`);
  }
  const size = (await fh.stat()).size;
  return {
    buffer: {
      byteLength: size,
      slice: async (s: number, e?: number) => {
        const from = clamp(s, size);
        const to = Math.max(from, clamp(e ?? size, size));
        const out = Buffer.alloc(to - from);
        let got = 0;
        while (got < out.length) {
          const { bytesRead } = await fh.read(out, got, out.length - got, from + got);
          if (bytesRead === 0) throw tableError('TABLE_INVALID', 'the file shrank while it was read');
          got += bytesRead;
        }
        return copy(out);
      },
    },
    close: () => fh.close(),
  };
}

function clamp(n: number, size: number): number {
  return Math.min(Math.max(0, Number.isFinite(n) ? Math.trunc(n) : 0), size);
}

function copy(b: Uint8Array): ArrayBuffer {
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
}
