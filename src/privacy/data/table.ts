import { createReadStream, type ReadStream } from 'node:fs';
import { privacyError } from '../errors.js';
import { parseCsv, type CsvLimits } from './csv.js';
import { boundedLines, jsonObject } from './lines.js';

/** A tabular file read as a stream: its column names, then rows of cells (null = absent in JSONL). */
export interface Table {
  format: 'csv' | 'jsonl';
  columns: string[];
  rows: AsyncGenerator<(string | null)[][]>;
}

export const MAX_LINE = 16 << 20;
const MAX_KEYS = 10_000;

function open(path: string): ReadStream {
  return createReadStream(path, { encoding: 'utf8', highWaterMark: 256 * 1024 });
}

export function tableFormat(path: string): 'csv' | 'jsonl' {
  if (/\.csv$/i.test(path)) return 'csv';
  if (/\.(jsonl|ndjson)$/i.test(path)) return 'jsonl';
  throw privacyError('PRIVACY_DATA_INVALID', `${path}: expected a .csv, .jsonl or .ndjson file`);
}

/** Opens a CSV (header row first) or JSON-lines file (objects; columns from the first line, in order). */
export async function openTable(path: string, limits: Partial<CsvLimits> = {}): Promise<Table> {
  const format = tableFormat(path);
  return format === 'csv' ? openCsv(path, limits) : openJsonl(path);
}

async function openCsv(path: string, limits: Partial<CsvLimits>): Promise<Table> {
  const it = parseCsv(open(path), limits);
  let first = await it.next();
  while (!first.done && first.value.length === 0) first = await it.next();
  if (first.done) throw privacyError('PRIVACY_DATA_INVALID', `${path}: no header row`);
  const [header = [], ...rest] = first.value;
  async function* rows(): AsyncGenerator<(string | null)[][]> {
    let line = 1;
    const check = (batch: string[][]) => {
      for (const r of batch) {
        line++;
        if (r.length !== header.length)
          throw privacyError(
            'PRIVACY_DATA_INVALID',
            `${path}: record ${line} has ${r.length} fields, the header ${header.length}`,
          );
      }
      return batch;
    };
    if (rest.length) yield check(rest);
    for await (const batch of it) yield check(batch);
  }
  return { format: 'csv', columns: header, rows: rows() };
}

function cell(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  return typeof v === 'string' ? v : JSON.stringify(v);
}

async function openJsonl(path: string): Promise<Table> {
  const lines = boundedLines(open(path), MAX_LINE, path);
  let n = 0;
  const next = async (): Promise<Record<string, unknown> | undefined> => {
    for (;;) {
      const r = await lines.next();
      if (r.done) return undefined;
      n++;
      if (r.value.trim() === '') continue;
      return jsonObject(r.value, path, n);
    }
  };
  const first = await next();
  if (!first) throw privacyError('PRIVACY_DATA_INVALID', `${path}: no JSON object`);
  const columns = Object.keys(first);
  const index = new Map(columns.map((c, k) => [c, k]));
  const toRow = (o: Record<string, unknown>): (string | null)[] => {
    const row: (string | null)[] = columns.map(() => null);
    for (const [k, v] of Object.entries(o)) {
      let at = index.get(k);
      if (at === undefined) {
        if (columns.length >= MAX_KEYS)
          throw privacyError('PRIVACY_DATA_INVALID', `${path}: more than ${MAX_KEYS} keys`);
        at = columns.length;
        columns.push(k);
        index.set(k, at);
        row.push(null);
      }
      row[at] = cell(v);
    }
    return row;
  };
  async function* rows(): AsyncGenerator<(string | null)[][]> {
    yield [toRow(first as Record<string, unknown>)];
    let batch: (string | null)[][] = [];
    for (let o = await next(); o; o = await next()) {
      batch.push(toRow(o));
      if (batch.length >= 1024) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length) yield batch;
  }
  return { format: 'jsonl', columns, rows: rows() };
}
