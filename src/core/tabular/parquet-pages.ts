import type { AsyncBuffer, ColumnMetaData, PageHeader } from 'hyparquet';
import { tableError } from './csv.js';
import type { Cell } from './table.js';

const CODECS = new Set(['UNCOMPRESSED', 'SNAPPY', 'GZIP', 'BROTLI', 'ZSTD', 'LZ4', 'LZ4_RAW']);
/** Pages in one column chunk: far above any writer's (1 MiB pages), low enough to bound the walk. */
const MAX_PAGES = 1_000_000;

/**
 * Walks every page header of one flat column chunk before the decoder sees it: pages must lie inside
 * the chunk, decompress to no more than the chunk declares, and hold no more values than the chunk
 * (which holds no more than its row group). The decoder allocates from these claims, so a lie here
 * would otherwise become a huge allocation or a long loop.
 */
export async function validateChunk(
  file: AsyncBuffer,
  meta: ColumnMetaData,
  groupRows: number,
): Promise<void> {
  const name = meta.path_in_schema.join('.');
  const bad = (why: string) => tableError('TABLE_INVALID', `column ${JSON.stringify(name)}: ${why}`);
  if (!CODECS.has(meta.codec)) throw bad(`unsupported compression ${String(meta.codec)}`);
  const values = Number(meta.num_values);
  if (!(values >= 0 && values <= groupRows))
    throw bad(`claims ${values} values in a row group of ${groupRows} rows`);
  const start = Number(meta.dictionary_page_offset || meta.data_page_offset);
  const size = Number(meta.total_compressed_size);
  const declared = Number(meta.total_uncompressed_size);
  if (!(start >= 4 && size >= 0 && start + size <= file.byteLength - 8))
    throw bad('its pages lie outside the file');
  const { parquetHeader } = await import('hyparquet/src/column.js');
  const view = new DataView(await file.slice(start, start + size));
  const reader = { view, offset: 0 };
  let seen = 0;
  let unpacked = 0;
  for (let pages = 0; reader.offset < view.byteLength && seen < values; pages++) {
    if (pages >= MAX_PAGES) throw bad(`more than ${MAX_PAGES} pages`);
    let h: PageHeader;
    try {
      h = parquetHeader(reader);
    } catch (e) {
      throw bad(`page header at byte ${start + reader.offset} is invalid (${(e as Error).message})`);
    }
    const c = h.compressed_page_size;
    const u = h.uncompressed_page_size;
    if (!Number.isInteger(c) || c < 0 || reader.offset + c > view.byteLength)
      throw bad('a page runs past the end of its column chunk');
    if (!Number.isInteger(u) || u < 0 || (unpacked += u) > declared)
      throw bad(`pages decompress to more than the ${declared} bytes the chunk declares`);
    const n = h.data_page_header?.num_values ?? h.data_page_header_v2?.num_values ?? 0;
    if (!Number.isInteger(n) || n < 0 || (seen += n) > values)
      throw bad(`pages hold more than the ${values} values the chunk declares`);
    const dict = h.dictionary_page_header?.num_values ?? 0;
    if (!Number.isInteger(dict) || dict < 0 || dict > Math.max(1, u) * 8)
      throw bad(`a dictionary claims ${dict} entries in ${u} bytes`);
    reader.offset += c;
  }
}

/** A decoded Parquet value as a table cell: JSON-like scalars only, exact or refused. */
export function toCell(v: unknown, column: string, row: number): Cell {
  if (v === null || v === undefined) return null;
  switch (typeof v) {
    case 'number':
    case 'string':
    case 'boolean':
      return v;
    case 'bigint':
      return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
    default:
      if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v.toISOString();
      if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
      throw tableError('TABLE_INVALID', `row ${row}, column ${JSON.stringify(column)}: not a scalar value`);
  }
}
