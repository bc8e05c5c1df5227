import { existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { Command, Option } from 'commander';
import { SEVERITIES, WardenError, type Severity } from '../../core/index.js';
import { exitCodeForVerdict, type ExitCode } from '../exit.js';
import { positiveInt } from '../flags.js';
import { writeOutput } from '../io.js';
import { OutputFormatSchema, type OutputFormat } from '../../report/index.js';

/** Flags of `warden audit membership`, as commander parses them. */
export interface AuditMembershipFlags {
  model: string[];
  train: string;
  trainLabels?: string;
  holdout: string;
  holdoutLabels?: string;
  shadow: boolean;
  shadowModel: string;
  shadows?: string;
  shadowEpochs?: string;
  bootstrap?: string;
  maxExamples?: string;
  seed?: string;
  threads?: string;
  format: OutputFormat;
  output?: string;
  failOn: Severity;
  color?: boolean;
}

/** The epsilon a model's DP-SGD evidence (`warden train --dp` writes MODEL.dp.json) claims, if any. */
function claimedEpsilon(model: string): { epsilon?: number; delta?: number } {
  const path = `${model.replace(/\.onnx$/i, '')}.dp.json`;
  if (!existsSync(path)) return {};
  try {
    const r = JSON.parse(readFileSync(path, 'utf8')) as { kind?: string; metrics?: Record<string, unknown> };
    const { epsilon, delta } = r.metrics ?? {};
    if (r.kind !== 'privacy.dp-training' || typeof epsilon !== 'number' || typeof delta !== 'number')
      return {};
    return { epsilon, delta };
  } catch {
    return {};
  }
}

export async function runAuditMembership(f: AuditMembershipFlags): Promise<ExitCode> {
  const { resolveDataset, ARCHITECTURES } = await import('../../robustness/index.js');
  const { membershipAudit } = await import('../../privacy/index.js');
  const { render } = await import('../../report/index.js');
  if (!ARCHITECTURES[f.shadowModel])
    throw new WardenError('USAGE', `--shadow-model must be one of ${Object.keys(ARCHITECTURES).join(', ')}`, {
      kind: 'usage',
    });
  const targets = f.model.map((m) => {
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(m);
    } catch (e) {
      throw new WardenError('IO_ERROR', `cannot read ${m}: ${(e as Error).message}`, { cause: e });
    }
    return { name: basename(m), bytes, ...claimedEpsilon(m) };
  });
  const audit = await membershipAudit(targets, {
    members: resolveDataset(f.train, f.trainLabels, 'train'),
    nonMembers: resolveDataset(f.holdout, f.holdoutLabels, 'test'),
    bootstrap: positiveInt('--bootstrap', f.bootstrap) ?? 200,
    maxExamples: positiveInt('--max-examples', f.maxExamples) ?? 5000,
    seed: f.seed ?? 0,
    threads: positiveInt('--threads', f.threads) ?? 1,
    failOn: f.failOn,
    ...(f.shadow
      ? {
          shadow: {
            architecture: f.shadowModel,
            shadows: positiveInt('--shadows', f.shadows) ?? 4,
            epochs: positiveInt('--shadow-epochs', f.shadowEpochs) ?? 10,
          },
        }
      : {}),
  });
  writeOutput(render(audit.report, f.format, { color: f.color !== false && !f.output }), f.output);
  return exitCodeForVerdict(audit.report.verdict);
}

/** Adds `warden audit membership`, under an existing `audit` command when another module made one. */
export function registerAuditMembership(program: Command, setExit: (code: ExitCode) => void): void {
  const audit =
    program.commands.find((c) => c.name() === 'audit') ??
    program.command('audit').description('Audits of models and evidence');
  audit
    .command('membership')
    .description(
      'Membership-inference audit: loss-threshold and shadow-model attacks, AUC and TPR at low FPR with ' +
        'bootstrap intervals (exit 1 on findings at or above --fail-on)',
    )
    .requiredOption('--model <files...>', 'ONNX classifiers to audit side by side (e.g. non-private and DP)')
    .requiredOption(
      '--train <data>',
      "the models' training data: mnist (the shipped split) or an IDX images file",
    )
    .option('--train-labels <file>', 'IDX labels for --train FILE')
    .requiredOption(
      '--holdout <data>',
      'data the models never saw: mnist (the shipped test split) or IDX images',
    )
    .option('--holdout-labels <file>', 'IDX labels for --holdout FILE')
    .option('--no-shadow', 'loss-threshold attack only (no shadow models, no reference check)')
    .option('--shadow-model <arch>', 'architecture of the shadow models', 'mnist-mlp')
    .option('--shadows <n>', 'number of shadow models (default 4)')
    .option('--shadow-epochs <n>', 'training epochs of each shadow model (default 10)')
    .option('--bootstrap <n>', 'bootstrap rounds for the intervals (default 200)')
    .option('--max-examples <n>', 'members (and as many non-members) to evaluate (default 5000)')
    .option('--seed <s>', 'seed of the sampling, shadows and bootstrap (default 0)')
    .option('--threads <n>', 'onnxruntime threads (default 1)')
    .addOption(
      new Option('-f, --format <format>', 'output format')
        .choices(OutputFormatSchema.options)
        .default('table'),
    )
    .option('-o, --output <file>', 'write the report to a file')
    .addOption(
      new Option('--fail-on <severity>', 'exit 1 on findings at or above')
        .choices([...SEVERITIES])
        .default('high'),
    )
    .option('--no-color', 'no colours')
    .action(async (flags: AuditMembershipFlags) => setExit(await runAuditMembership(flags)));
}
