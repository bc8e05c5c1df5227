import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { OutputFormatSchema } from '../../report/index.js';
import { SEVERITIES, type Severity } from '../../core/index.js';
import { exitCodeForVerdict, EXIT, type ExitCode } from '../exit.js';
import { numberFlag, positiveInt } from '../flags.js';
import { splitList, writeReport, type DriftFlags } from './drift.js';

interface Common {
  detectors?: string[];
  expectedRate?: string;
  seed?: string;
  json?: boolean;
  report?: string;
  reportFormat: DriftFlags['reportFormat'];
}

export interface PoisonScanFlags extends Common {
  model?: string;
  data: string;
  labels?: string;
  limit?: string;
  features?: string;
  label?: string;
  failOn: Severity;
}

export interface PoisonEvalFlags extends Common {
  rate: string;
  target?: string;
  epochs?: string;
  trainSize?: string;
  arch: 'mnist-cnn' | 'mnist-mlp';
}

async function detectorNames(values: string[] | undefined) {
  const m = await import('../../monitor/index.js');
  return splitList(values)?.map((d) => m.getPoisonDetector(d).name);
}

export async function runPoisonScan(f: PoisonScanFlags): Promise<ExitCode> {
  const startedAt = new Date().toISOString();
  const m = await import('../../monitor/index.js');
  const names = await detectorNames(f.detectors);
  const opts = {
    expectedRate: numberFlag('--expected-rate', f.expectedRate, { min: 0, max: 0.5, exclusiveMin: true }),
    seed: numberFlag('--seed', f.seed, { min: 0 }),
  };
  let features;
  let labels: Uint8Array;
  let subject: string;
  if (f.features) {
    if (!f.label)
      throw m.monitorError('MONITOR_INVALID_OPTION', '--features needs --label (the label column)');
    const { readTable } = await import('../../core/index.js');
    const t = await readTable(f.features);
    ({ features, labels } = m.featuresFromTable(t, f.label));
    subject = f.features;
  } else {
    if (!f.model) throw m.monitorError('MONITOR_INVALID_OPTION', 'give --model (with --data) or --features');
    const r = await import('../../robustness/index.js');
    const d = r.resolveDataset(f.data, f.labels, 'train');
    const n = Math.min(positiveInt('--limit', f.limit) ?? d.size, d.size);
    const acts = await r.penultimateActivations(new Uint8Array(readFileSync(f.model)), d.x, n);
    features = { data: acts.data, dim: acts.dim, n };
    labels = d.y.subarray(0, n);
    subject = `${f.model} on ${f.data}`;
  }
  const scan = m.scanPoison(features, labels, names, opts);
  const report = m.poisonScanReport(scan, { name: subject }, startedAt, f.failOn);
  await writeReport(report, f.report, f.reportFormat);
  if (f.json) process.stdout.write(`${JSON.stringify(scan)}\n`);
  else {
    const lines = Object.entries(scan.detectors).map(
      ([k, v]) => `${k.padEnd(22)} ${String(v.flagged).padStart(6)} flagged`,
    );
    lines.push(
      `${'flagged by >= 2'.padEnd(22)} ${String(scan.consensus.length).padStart(6)} of ${scan.samples} samples`,
    );
    process.stdout.write(`${lines.join('\n')}\n`);
  }
  return exitCodeForVerdict(report.verdict);
}

export async function runPoisonEval(f: PoisonEvalFlags): Promise<ExitCode> {
  const startedAt = new Date().toISOString();
  const m = await import('../../monitor/index.js');
  const e = await m.evaluateBackdoor({
    rate: numberFlag('--rate', f.rate, { min: 0, max: 0.5, exclusiveMin: true }) as number,
    target: numberFlag('--target', f.target, { min: 0, max: 9 }),
    detectors: await detectorNames(f.detectors),
    expectedRate: numberFlag('--expected-rate', f.expectedRate, { min: 0, max: 0.5, exclusiveMin: true }),
    epochs: positiveInt('--epochs', f.epochs),
    trainSize: positiveInt('--train-size', f.trainSize),
    arch: f.arch,
    seed: numberFlag('--seed', f.seed, { min: 0 }),
    onProgress: f.json ? undefined : (msg) => process.stderr.write(`${msg}\n`),
  });
  await writeReport(m.backdoorReport(e, startedAt), f.report, f.reportFormat);
  if (f.json) process.stdout.write(`${JSON.stringify(e)}\n`);
  else {
    const pct = (v: number): string => `${(v * 100).toFixed(1)}%`;
    const out = [
      `poisoned ${e.poisoned} of ${e.trainSize} digits (rate ${e.rate}, target ${e.target}): clean accuracy ${pct(e.cleanAccuracy)}, backdoor success ${pct(e.attackSuccess)}`,
      '| detector | flagged | precision | recall | clean acc. after removal | backdoor success after |',
      '|---|---|---|---|---|---|',
      ...e.detectors.map(
        (d) =>
          `| ${d.detector} | ${d.flagged} | ${pct(d.precision)} | ${pct(d.recall)} | ${pct(d.cleanAccuracy)} | ${pct(d.attackSuccess)} |`,
      ),
    ];
    process.stdout.write(`${out.join('\n')}\n`);
  }
  return EXIT.ok;
}

function common(cmd: Command): Command {
  return cmd
    .option('--detectors <names...>', 'spectral, activation_clustering, isolation_forest, knn (default all)')
    .option(
      '--expected-rate <r>',
      'assumed upper bound on the poisoned share (default 0.1; eval: the true rate)',
    )
    .option('--seed <n>', 'seed (default 0)')
    .option('--report <file>', 'also write the Warden Report (evidence) to this file')
    .addOption(
      new Option('--report-format <format>', 'format of --report')
        .choices(OutputFormatSchema.options)
        .default('json'),
    );
}

/** Adds `warden poison scan|eval` to the program. */
export function registerPoison(program: Command, setExit: (code: ExitCode) => void): void {
  const poison = program.command('poison').description('Training-data poisoning and backdoor detection');
  common(
    poison
      .command('scan')
      .description("Flag suspicious training samples from a model's activations (or given features)"),
  )
    .option('--model <file>', 'ONNX classifier whose penultimate-layer activations are scanned')
    .option('--data <name|file>', 'mnist (the shipped training digits) or an IDX images file', 'mnist')
    .option('--labels <file>', 'IDX labels file for --data FILE')
    .option('--limit <n>', 'scan only the first n samples')
    .option('--features <file>', 'instead of --model: a CSV/TSV/JSONL table of features with a label column')
    .option('--label <column>', 'label column of --features')
    .option('--json', 'print {"samples", "detectors": {name: {"flagged", "indices"}}, "consensus"} as JSON')
    .addOption(
      new Option('--fail-on <severity>', 'exit 1 on findings at or above this severity')
        .choices([...SEVERITIES])
        .default('high'),
    )
    .action(async (flags: PoisonScanFlags) => setExit(await runPoisonScan(flags)));
  common(
    poison
      .command('eval')
      .description('Backdoor experiment on MNIST: poison, train, detect, remove, retrain'),
  )
    .requiredOption('--rate <r>', 'share of training digits poisoned with the trigger, e.g. 0.05')
    .option('--target <digit>', 'backdoor target label (default 0)')
    .option('--epochs <n>', 'training epochs (default 2)')
    .option('--train-size <n>', 'training digits used, of the 8,000 shipped (default all)')
    .addOption(
      new Option('--arch <arch>', 'model trained').choices(['mnist-cnn', 'mnist-mlp']).default('mnist-cnn'),
    )
    .option('--json', 'print the evaluation as JSON')
    .action(async (flags: PoisonEvalFlags) => setExit(await runPoisonEval(flags)));
}
