import { Command } from 'commander';
import type { Severity } from '../../core/index.js';
import { exitCodeForVerdict, type ExitCode } from '../exit.js';
import { addEvidenceOptions, inputFormatOption, numberFlag } from '../flags.js';
import { writeReport, type DriftFlags } from './drift.js';

export interface FairnessFlags {
  data: string;
  label: string;
  prediction: string;
  sensitive: string;
  posLabel?: string;
  privileged?: string;
  confidence?: string;
  bootstrap?: string;
  seed?: string;
  minParityRatio?: string;
  maxOddsDifference?: string;
  inputFormat?: 'csv' | 'tsv' | 'jsonl' | 'parquet';
  json?: boolean;
  report?: string;
  reportFormat: DriftFlags['reportFormat'];
  failOn: Severity;
}

export async function runFairness(f: FairnessFlags): Promise<ExitCode> {
  const startedAt = new Date().toISOString();
  const { readTable } = await import('../../core/index.js');
  const { fairnessInputFromTable, fairnessMetrics, fairnessJson, fairnessReport } =
    await import('../../monitor/index.js');
  const bootstrap = numberFlag('--bootstrap', f.bootstrap, { min: 0, max: 100_000 });
  const table = await readTable(f.data, {
    format: f.inputFormat,
    columns: [...new Set([f.label, f.prediction, f.sensitive])],
  });
  const input = fairnessInputFromTable(table, f);
  const result = fairnessMetrics(input, {
    privileged: f.privileged,
    confidence: numberFlag('--confidence', f.confidence, { min: 0, max: 1, exclusiveMin: true }),
    bootstrap: bootstrap === undefined ? undefined : Math.floor(bootstrap),
    seed: numberFlag('--seed', f.seed, { min: 0 }),
  });
  const report = fairnessReport(
    result,
    { name: f.data },
    startedAt,
    {
      minParityRatio: numberFlag('--min-parity-ratio', f.minParityRatio, { min: 0, max: 1 }) ?? 0.8,
      maxOddsDifference: numberFlag('--max-odds-difference', f.maxOddsDifference, { min: 0, max: 1 }) ?? 0.1,
    },
    f.failOn,
  );
  await writeReport(report, f.report, f.reportFormat);
  if (f.json) process.stdout.write(`${JSON.stringify(fairnessJson(result))}\n`);
  else {
    const fmt = (v: number | undefined): string =>
      v === undefined || !Number.isFinite(v) ? '-' : v.toFixed(4);
    const ci = (k: string): string => {
      const i = result.intervals[k];
      return i ? `[${fmt(i[0])}, ${fmt(i[1])}]` : '';
    };
    const lines = Object.entries(result.metrics).map(
      ([k, v]) => `${k.padEnd(46)} ${fmt(v).padStart(8)}  ${ci(k)}`,
    );
    const head = ['group', 'count', 'selection', 'TPR', 'FPR', 'PPV', 'accuracy'];
    const rows = Object.entries(result.groups).map(([g, m]) => [
      g,
      String(m.count),
      fmt(m.selection_rate),
      fmt(m.true_positive_rate),
      fmt(m.false_positive_rate),
      fmt(m.positive_predictive_value),
      fmt(m.accuracy),
    ]);
    const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
    const row = (r: string[]): string => r.map((v, i) => v.padEnd(w[i] as number)).join('  ');
    process.stdout.write(
      `${[...lines, '', row(head), ...rows.map(row), ...report.findings.map((x) => `finding: ${x.title}: ${x.detail}`)].join('\n')}\n`,
    );
  }
  return exitCodeForVerdict(report.verdict);
}

/** Adds `warden fairness` to the program. */
export function registerFairness(program: Command, setExit: (code: ExitCode) => void): void {
  const cmd = program
    .command('fairness')
    .description(
      'Group fairness of binary predictions (Fairlearn / AIF360 metrics) with confidence intervals',
    )
    .requiredOption(
      '--data <file>',
      'table with labels, predictions and the sensitive attribute (CSV, TSV, JSONL)',
    )
    .requiredOption('--label <column>', 'true outcome column')
    .requiredOption('--prediction <column>', 'predicted outcome column')
    .requiredOption('--sensitive <column>', 'sensitive attribute column (one group per value)')
    .option('--pos-label <value>', 'favourable outcome value (default: 1/true/yes when unambiguous)')
    .option(
      '--privileged <group>',
      'privileged group: adds AIF360 signed metrics (unprivileged minus privileged)',
    )
    .option('--confidence <level>', 'confidence level of the intervals (default 0.95)')
    .option('--bootstrap <n>', 'bootstrap resamples for metric intervals (default 500, 0 = none)')
    .option('--seed <n>', 'bootstrap seed (default 0)')
    .option('--min-parity-ratio <r>', 'report demographic parity ratios below this (default 0.8)')
    .option('--max-odds-difference <d>', 'report equalized odds differences above this (default 0.1)')
    .addOption(inputFormatOption())
    .option('--json', 'print {"metrics", "groups", "intervals"} as JSON');
  addEvidenceOptions(cmd, 'high').action(async (flags: FairnessFlags) => setExit(await runFairness(flags)));
}
