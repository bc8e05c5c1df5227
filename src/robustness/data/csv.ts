import { robustnessError } from '../errors.js';
import { MAX_DATA_BYTES } from './idx.js';

/** A numeric CSV table split into features and a label column. */
export interface CsvTable {
  /** Rows x features, row-major. */
  x: Float32Array;
  labels: Float32Array;
  rows: number;
  features: number;
  /** Whether a (non-numeric) header row was skipped. */
  header: boolean;
}

export interface CsvOptions {
  /** Index of the label column; negative counts from the end (default 0, the MNIST-in-CSV layout). */
  labelColumn?: number;
  maxRows?: number;
  maxColumns?: number;
}

const NUM = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const bad = (msg: string) => robustnessError('DATA_INVALID', `CSV: ${msg}`);

/** Parses a numeric CSV (comma separated, no quoting); a first row that is not numeric is a header. */
export function parseLabeledCsv(bytes: Uint8Array, opts: CsvOptions = {}): CsvTable {
  if (bytes.length > MAX_DATA_BYTES) throw bad('file is too large');
  const maxRows = opts.maxRows ?? 10_000_000;
  const maxCols = opts.maxColumns ?? 1_000_000;
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  let cols = -1;
  let header = false;
  let x: Float32Array | undefined;
  let labels: Float32Array | undefined;
  let rows = 0;
  let capacity = 0;
  let lineNo = 0;
  let pos = 0;
  while (pos < text.length) {
    let end = text.indexOf('\n', pos);
    if (end < 0) end = text.length;
    const line = text.slice(pos, end).replace(/\r$/, '');
    pos = end + 1;
    lineNo++;
    if (line.trim() === '') continue;
    const fields = line.split(',');
    if (fields.length > maxCols) throw bad(`line ${lineNo} has more than ${maxCols} columns`);
    if (cols < 0) {
      cols = fields.length;
      if (cols < 2) throw bad('needs a label column and at least one feature');
      if (fields.some((f) => !NUM.test(f.trim()))) {
        header = true;
        continue;
      }
    }
    if (fields.length !== cols) throw bad(`line ${lineNo} has ${fields.length} columns, expected ${cols}`);
    if (rows >= maxRows) throw bad(`more than ${maxRows} rows`);
    const labelAt = (opts.labelColumn ?? 0) < 0 ? cols + (opts.labelColumn ?? 0) : (opts.labelColumn ?? 0);
    if (labelAt < 0 || labelAt >= cols)
      throw bad(`label column ${opts.labelColumn} is outside the ${cols} columns`);
    if (rows === capacity) {
      capacity = Math.max(64, capacity * 2);
      const nx = new Float32Array(capacity * (cols - 1));
      if (x) nx.set(x);
      x = nx;
      const nl = new Float32Array(capacity);
      if (labels) nl.set(labels);
      labels = nl;
    }
    let f = 0;
    for (let c = 0; c < cols; c++) {
      const s = (fields[c] as string).trim();
      if (!NUM.test(s)) throw bad(`line ${lineNo}, column ${c + 1}: "${s.slice(0, 20)}" is not a number`);
      if (c === labelAt) (labels as Float32Array)[rows] = Number(s);
      else (x as Float32Array)[rows * (cols - 1) + f++] = Number(s);
    }
    rows++;
  }
  if (rows === 0 || !x || !labels) throw bad('no data rows');
  return {
    x: x.slice(0, rows * (cols - 1)),
    labels: labels.slice(0, rows),
    rows,
    features: cols - 1,
    header,
  };
}
