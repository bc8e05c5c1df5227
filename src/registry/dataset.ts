import { open, stat } from 'node:fs/promises';
import { basename, extname, resolve } from 'node:path';
import { digestModel } from '../artifacts/index.js';
import { makeReport, type Finding, type Report } from '../core/index.js';
import { registryError } from './errors.js';
import type { NewDataset } from './types.js';

/** How much of a data set is read to infer its schema and sample it for PII. */
export interface DatasetSampleLimits {
  /** Rows read (default 1000). */
  maxRows: number;
  /** Bytes read from the start of the file (default 4 MiB). */
  maxBytes: number;
}

const DEFAULT_LIMITS: DatasetSampleLimits = { maxRows: 1000, maxBytes: 4 << 20 };
const FORMATS: Record<string, string> = {
  '.csv': 'csv',
  '.tsv': 'tsv',
  '.jsonl': 'jsonl',
  '.ndjson': 'jsonl',
  '.json': 'json',
  '.parquet': 'parquet',
  '.npy': 'npy',
  '.npz': 'npz',
  '.idx': 'idx',
};

/** A column and the value types seen in the sample. */
export interface ColumnSchema {
  name: string;
  types: string[];
}

/** Splits delimited text into rows (RFC 4180 quoting), stopping at `maxRows`. */
export function parseDelimited(text: string, sep: string, maxRows: number): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length && rows.length < maxRows; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"' && cell === '') quoted = true;
    else if (c === sep) {
      row.push(cell);
      cell = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += c;
  }
  if ((cell !== '' || row.length > 0) && rows.length < maxRows) rows.push([...row, cell]);
  return rows;
}

const typeOf = (v: unknown): string =>
  v === null || v === ''
    ? 'null'
    : typeof v === 'string'
      ? /^[+-]?\d+$/.test(v)
        ? 'integer'
        : /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(v)
          ? 'number'
          : /^(true|false)$/i.test(v)
            ? 'boolean'
            : 'string'
      : typeof v === 'number'
        ? Number.isInteger(v)
          ? 'integer'
          : 'number'
        : Array.isArray(v)
          ? 'array'
          : typeof v;

/** Column names and types, and the sampled records, of a CSV/TSV/JSON-lines text. */
export function sampleRecords(
  text: string,
  format: string,
  maxRows: number,
): { columns: ColumnSchema[]; records: Record<string, unknown>[] } {
  const records: Record<string, unknown>[] = [];
  if (format === 'csv' || format === 'tsv') {
    const [header, ...rows] = parseDelimited(text, format === 'csv' ? ',' : '\t', maxRows + 1);
    for (const r of rows) records.push(Object.fromEntries((header ?? []).map((h, i) => [h, r[i] ?? ''])));
  } else if (format === 'jsonl') {
    for (const line of text.split('\n').slice(0, maxRows)) {
      if (!line.trim()) continue;
      try {
        const v = JSON.parse(line) as unknown;
        if (v && typeof v === 'object' && !Array.isArray(v)) records.push(v as Record<string, unknown>);
      } catch {
        // a line cut by the byte limit, or not JSON: not part of the sample
      }
    }
  }
  const types = new Map<string, Set<string>>();
  for (const r of records)
    for (const [k, v] of Object.entries(r)) {
      if (types.size >= 1000 && !types.has(k)) continue;
      (types.get(k) ?? types.set(k, new Set()).get(k)!).add(typeOf(v));
    }
  return { columns: [...types].map(([name, t]) => ({ name, types: [...t].sort() })), records };
}

/** A PII summary of sampled values: which entity types appear in which columns. */
export async function piiReport(
  name: string,
  records: readonly Record<string, unknown>[],
  startedAt: string,
): Promise<Report> {
  // loaded only when asked for: the guard's detectors are not needed to register a data set
  const { Guard } = await import('../guard/index.js');
  const guard = new Guard({ version: 1, input: [{ detector: 'pii', action: 'warn' }] });
  const counts = new Map<string, number>();
  let cells = 0;
  for (const r of records)
    for (const [col, v] of Object.entries(r)) {
      if (typeof v !== 'string' || v.length === 0) continue;
      cells++;
      for (const f of guard.scanInput(v.slice(0, 10_000)).findings) {
        const key = `${col}\u0000${f.type}`;
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
    }
  const findings: Finding[] = [];
  const metrics: Record<string, number> = { rows: records.length, cells, 'pii.total': 0 };
  for (const [key, n] of counts) {
    const [column, type] = key.split('\u0000') as [string, string];
    metrics['pii.total']! += n;
    metrics[`pii.${type}`] = (metrics[`pii.${type}`] ?? 0) + n;
    findings.push({
      id: `pii.${type}`,
      detector: 'pii',
      severity: 'medium',
      title: `${type} in column "${column}"`,
      detail: `${n} of ${records.length} sampled rows hold ${type} in column "${column}"`,
      location: { path: name, member: column },
      refs: { owasp: ['LLM02:2025'], cwe: ['CWE-359'] },
    });
  }
  return makeReport({
    kind: 'pii',
    subject: { name },
    startedAt,
    finishedAt: new Date().toISOString(),
    findings,
    items: [],
    metrics,
    failOn: 'high',
  });
}

/**
 * Describes a data set file or directory for `registerDataset`: its digest (as `warden digest` computes it),
 * format, sampled schema (CSV, TSV, JSON lines) and, when asked, a PII report over the sample (guard's PII
 * detectors on every string cell). Reads at most `limits.maxBytes` of the file.
 */
export async function describeDataset(
  path: string,
  opts: { name?: string; pii?: boolean; limits?: Partial<DatasetSampleLimits> } = {},
): Promise<{ dataset: NewDataset; pii?: Report }> {
  const limits = { ...DEFAULT_LIMITS, ...opts.limits };
  const abs = resolve(path);
  const st = await stat(abs).catch((e: unknown) => {
    throw registryError(
      'REGISTRY_DATASET_INVALID',
      `cannot read data set ${path}: ${(e as Error).message}`,
      e,
    );
  });
  const startedAt = new Date().toISOString();
  const { rootDigest, manifest } = await digestModel(abs);
  const format = st.isDirectory() ? 'directory' : (FORMATS[extname(abs).toLowerCase()] ?? 'unknown');
  let schema: { columns: ColumnSchema[]; sampledRows: number } | undefined;
  let pii: Report | undefined;
  if (st.isFile() && ['csv', 'tsv', 'jsonl'].includes(format)) {
    const fh = await open(abs, 'r');
    let text: string;
    try {
      const buf = Buffer.alloc(Math.min(st.size, limits.maxBytes));
      const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
      text = buf.subarray(0, bytesRead).toString('utf8');
    } finally {
      await fh.close();
    }
    // a sample cut mid-row loses its last line, not its meaning
    if (st.size > limits.maxBytes) text = text.slice(0, Math.max(0, text.lastIndexOf('\n')));
    const s = sampleRecords(text, format, limits.maxRows);
    schema = { columns: s.columns, sampledRows: s.records.length };
    if (opts.pii) pii = await piiReport(basename(abs), s.records, startedAt);
  } else if (opts.pii)
    throw registryError(
      'REGISTRY_DATASET_INVALID',
      `PII sampling reads CSV, TSV or JSON lines, not ${format}`,
    );
  let size = st.size;
  if (st.isDirectory()) {
    size = 0;
    for (const r of manifest.resources) size += (await stat(resolve(abs, r.name))).size;
  }
  return {
    dataset: {
      name:
        opts.name ??
        basename(abs)
          .replace(/\.[^.]+$/, '')
          .replace(/[^A-Za-z0-9._-]/g, '_'),
      digest: `sha256:${rootDigest}`,
      uri: abs,
      size,
      format,
      ...(schema ? { schema } : {}),
      ...(pii
        ? { pii: { verdict: pii.verdict, metrics: pii.metrics, findings: pii.findings.map((f) => f.title) } }
        : {}),
    },
    ...(pii ? { pii } : {}),
  };
}
