import { Command } from 'commander';
import type { Report, Severity } from '../../core/index.js';
import { exitCodeForVerdict, type ExitCode } from '../exit.js';
import { addEvidenceOptions, inputFormatOption, numberFlag, positiveInt } from '../flags.js';
import { writeOutput } from '../io.js';
import type { OutputFormat } from '../../report/index.js';

export interface DriftFlags {
  reference: string;
  current: string;
  columns?: string[];
  test?: string;
  threshold?: string;
  driftShare?: string;
  seed?: string;
  multivariate?: boolean;
  inputFormat?: 'csv' | 'tsv' | 'jsonl' | 'parquet';
  maxRows?: string;
  json?: boolean;
  report?: string;
  reportFormat: OutputFormat;
  failOn: Severity;
}

/** Splits `--columns a,b c` into [a, b, c]. */
export function splitList(values: string[] | undefined): string[] | undefined {
  return values
    ?.flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
}

/** Writes the Warden Report of a monitor command where --report asks. */
export async function writeReport(
  report: Report,
  file: string | undefined,
  format: DriftFlags['reportFormat'],
): Promise<void> {
  if (!file) return;
  const { render } = await import('../../report/index.js');
  writeOutput(render(report, format, { color: false }), file);
}

export async function runDrift(f: DriftFlags): Promise<ExitCode> {
  const startedAt = new Date().toISOString();
  const { readTable } = await import('../../core/index.js');
  const { detectDrift, driftJson, driftReport, getDriftTest } = await import('../../monitor/index.js');
  const test = f.test === undefined ? undefined : getDriftTest(f.test).name;
  const columns = splitList(f.columns);
  const maxRows = positiveInt('--max-rows', f.maxRows);
  const read = (path: string) =>
    readTable(path, { format: f.inputFormat, columns, limits: maxRows ? { maxRows } : {} });
  const [reference, current] = [await read(f.reference), await read(f.current)];
  const result = detectDrift(reference, current, {
    columns,
    test,
    threshold: numberFlag('--threshold', f.threshold, { min: 0 }),
    driftShare: numberFlag('--drift-share', f.driftShare, { min: 0, max: 1, exclusiveMin: true }),
    seed: numberFlag('--seed', f.seed, { min: 0 }),
    multivariate: f.multivariate,
  });
  const report = driftReport(result, { name: `${f.reference} -> ${f.current}` }, startedAt, f.failOn);
  await writeReport(report, f.report, f.reportFormat);
  if (f.json) process.stdout.write(`${JSON.stringify(driftJson(result))}\n`);
  else {
    const rows = Object.entries(result.columns).map(([name, c]) => [
      name,
      c.kind,
      c.test,
      fmt(c.statistic),
      c.pValue === null ? '-' : fmt(c.pValue),
      String(c.threshold),
      c.drift ? 'DRIFT' : 'ok',
    ]);
    const head = ['column', 'kind', 'test', 'statistic', 'p-value', 'threshold', 'drift'];
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
    const line = (r: string[]): string =>
      r
        .map((v, i) => v.padEnd(widths[i] as number))
        .join('  ')
        .trimEnd();
    const out = [line(head), ...rows.map(line)];
    if (result.multivariate)
      out.push(
        `multivariate MMD over ${result.multivariate.columns.length} numerical columns: p-value ${fmt(result.multivariate.pValue)}${result.multivariate.drift ? ' DRIFT' : ''}`,
      );
    const drifted = Object.values(result.columns).filter((c) => c.drift).length;
    out.push(
      `dataset drift: ${result.drift ? 'YES' : 'no'} (${drifted} of ${rows.length} columns drifted; share threshold ${result.driftShare})`,
    );
    process.stdout.write(`${out.join('\n')}\n`);
  }
  return exitCodeForVerdict(report.verdict);
}

const fmt = (v: number): string =>
  !Number.isFinite(v) ? String(v) : v === 0 || Math.abs(v) >= 1e-4 ? v.toFixed(5) : v.toExponential(3);

/** Adds `warden drift` to the program. */
export function registerDrift(program: Command, setExit: (code: ExitCode) => void): void {
  const cmd = program
    .command('drift')
    .description(
      'Data drift between a reference and a current table (CSV, TSV, JSONL): exit 1 on dataset drift',
    )
    .requiredOption('--reference <file>', 'reference data (CSV, TSV or JSONL)')
    .requiredOption('--current <file>', 'current data, same columns')
    .option('--columns <names...>', 'columns to test (comma or space separated; default: all shared columns)')
    .option('--test <name>', 'one test for every column (default: Evidently-style per-column default)')
    .option('--threshold <t>', "threshold of --test (default: the test's own)")
    .option('--drift-share <s>', 'share of drifted columns that makes the dataset drift (default 0.5)')
    .option('--multivariate', 'also run an MMD permutation test on all numerical columns together')
    .option('--seed <n>', 'seed of permutation tests and subsampling (default 0)')
    .addOption(inputFormatOption())
    .option('--max-rows <n>', 'refuse inputs with more rows than this (default 5,000,000)')
    .option('--json', 'print {"drift", "columns": {...}} as JSON');
  addEvidenceOptions(cmd, 'high').action(async (flags: DriftFlags) => setExit(await runDrift(flags)));
}
