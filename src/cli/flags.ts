import { Option, type Command } from 'commander';
import { SEVERITIES, WardenError, type Severity } from '../core/index.js';
import { OutputFormatSchema } from '../report/index.js';

/** Parses a positive integer flag (counts, sizes, milliseconds); anything else is a usage error. */
export function positiveInt(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n <= 0)
    throw new WardenError('USAGE', `${name} must be a positive integer`, { kind: 'usage' });
  return n;
}

/** Parses a finite number flag inside [min, max] (exclusive bounds where asked); anything else is a usage error. */
export function numberFlag(
  name: string,
  v: string | undefined,
  range: { min?: number; max?: number; exclusiveMin?: boolean } = {},
): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  const lowOk = range.min === undefined || (range.exclusiveMin ? n > range.min : n >= range.min);
  const highOk = range.max === undefined || n <= range.max;
  if (v.trim() === '' || !Number.isFinite(n) || !lowOk || !highOk) {
    const lo = range.min === undefined ? '' : `${range.exclusiveMin ? '>' : '>='} ${range.min}`;
    const hi = range.max === undefined ? '' : `<= ${range.max}`;
    throw new WardenError(
      'USAGE',
      `${name} must be a number ${[lo, hi].filter(Boolean).join(' and ')}`.trim(),
      {
        kind: 'usage',
      },
    );
  }
  return n;
}

/** `--input-format` of the commands that read tables (CSV, TSV, JSONL, Parquet). */
export function inputFormatOption(): Option {
  return new Option('--input-format <format>', 'input format (default: by extension)').choices([
    'csv',
    'tsv',
    'jsonl',
    'parquet',
  ]);
}

/** `--report FILE`, `--report-format` and `--fail-on`: how a monitor command hands over its evidence. */
export function addEvidenceOptions(cmd: Command, failOn: Severity): Command {
  return cmd
    .option('--report <file>', 'also write the Warden Report (evidence) to this file')
    .addOption(
      new Option('--report-format <format>', 'format of --report')
        .choices(OutputFormatSchema.options)
        .default('json'),
    )
    .addOption(
      new Option('--fail-on <severity>', 'exit 1 on findings at or above this severity')
        .choices([...SEVERITIES])
        .default(failOn),
    );
}
