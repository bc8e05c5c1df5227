import { writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Command } from 'commander';
import { Option } from 'commander';
import { WardenError } from '../../core/index.js';
import { ACCOUNTANT_NAMES, dpEvidenceReport, dpTrain, type AccountantName } from '../../privacy/index.js';
import { EXIT, type ExitCode } from '../exit.js';
import { numberFlag, positiveInt } from '../flags.js';
import type { TrainFlags } from './train.js';

/** The DP-SGD flags `warden train --dp` adds to `warden train`. */
export interface DpTrainFlags extends TrainFlags {
  dp?: boolean;
  noiseMultiplier?: string;
  targetEpsilon?: string;
  maxGradNorm?: string;
  delta?: string;
  accountant?: string;
  noiseSeed?: string;
  momentum?: string;
  report?: string;
}

/** Adds the DP-SGD options to the existing `warden train` command (which hands `--dp` runs to runDpTrain). */
export function registerDpTrain(program: Command): void {
  const train = program.commands.find((c) => c.name() === 'train');
  if (!train) return;
  train
    .option('--dp', 'train with DP-SGD (Poisson sampling, per-example clipping, Gaussian noise)')
    .option('--noise-multiplier <s>', '--dp: noise std / clipping norm')
    .option('--target-epsilon <e>', '--dp: calibrate the noise multiplier to this epsilon instead')
    .option('--max-grad-norm <c>', '--dp: per-example gradient clipping bound (default 1)')
    .option('--delta <d>', '--dp: target delta (default 1e-5)')
    .addOption(
      new Option('--accountant <name>', '--dp: privacy accountant (default rdp)').choices([
        ...ACCOUNTANT_NAMES,
      ]),
    )
    .option('--noise-seed <s>', '--dp: derive sampling and noise from this seed (reproducible, not secret)')
    .option('--momentum <m>', '--dp: sgd momentum (default 0)')
    .option('--report <file>', '--dp: where to write the privacy evidence report (default OUT.dp.json)');
}

const usage = (m: string) => new WardenError('USAGE', m, { kind: 'usage' });

/** `warden train --dp`: DP-SGD on a model defined in code; writes the ONNX model and its evidence report. */
export async function runDpTrain(flags: DpTrainFlags): Promise<ExitCode> {
  const startedAt = new Date().toISOString();
  const { ARCHITECTURES, Model, accuracy, onnxClassifier, resolveDataset } =
    await import('../../robustness/index.js');
  if (!ARCHITECTURES[flags.model])
    throw usage(`--model must be one of ${Object.keys(ARCHITECTURES).join(', ')}`);
  if (flags.adv) throw usage('--dp cannot be combined with --adv');
  if ((flags.noiseMultiplier === undefined) === (flags.targetEpsilon === undefined))
    throw usage('--dp needs exactly one of --noise-multiplier and --target-epsilon');
  if (flags.optimizer !== 'adam' && flags.optimizer !== 'sgd') throw usage('--optimizer must be adam or sgd');
  const epochs = numberFlag('--epochs', flags.epochs, { min: 0, exclusiveMin: true, max: 10_000 }) ?? 3;
  const batchSize = positiveInt('--batch-size', flags.batchSize) ?? 128;
  const noiseMultiplier = numberFlag('--noise-multiplier', flags.noiseMultiplier, {
    min: 0,
    exclusiveMin: true,
  });
  const targetEpsilon = numberFlag('--target-epsilon', flags.targetEpsilon, { min: 0, exclusiveMin: true });
  const maxGradNorm = numberFlag('--max-grad-norm', flags.maxGradNorm, { min: 0, exclusiveMin: true }) ?? 1;
  const delta = numberFlag('--delta', flags.delta, { min: 0, exclusiveMin: true, max: 1 }) ?? 1e-5;
  const lr = numberFlag('--lr', flags.lr, { min: 0, exclusiveMin: true, max: 10 });
  const momentum = numberFlag('--momentum', flags.momentum, { min: 0, max: 1 });
  const seed = numberFlag('--seed', flags.seed, { min: 0 }) ?? 0;
  const threads = positiveInt('--threads', flags.threads) ?? 1;
  const trainSet = resolveDataset(flags.data, flags.labels, 'train');
  const testSet = flags.data === 'mnist' ? resolveDataset('mnist', undefined, 'test') : undefined;
  const model = Model.create(flags.model, seed);
  const log = (s: string) => {
    if (!flags.json) process.stderr.write(s);
  };
  log(`DP-SGD: ${flags.model} (${model.parameterCount} weights) on ${trainSet.size} examples\n`);
  const result = await dpTrain(model, trainSet, {
    epochs,
    batchSize,
    maxGradNorm,
    delta,
    optimizer: flags.optimizer,
    threads,
    accountant: (flags.accountant ?? 'rdp') as AccountantName,
    ...(noiseMultiplier === undefined ? {} : { noiseMultiplier }),
    ...(targetEpsilon === undefined ? {} : { targetEpsilon }),
    ...(lr === undefined ? {} : { lr }),
    ...(momentum === undefined ? {} : { momentum }),
    ...(flags.noiseSeed === undefined ? {} : { noiseSeed: flags.noiseSeed }),
    onStep: ({ epoch, step, steps, batch, loss }) => {
      if (step % 10 === 0 || step === steps - 1)
        log(`\repoch ${epoch + 1} step ${step + 1}/${steps} batch ${batch} loss ${loss.toFixed(4)}   `);
    },
    onEpoch: (e) =>
      log(
        `\repoch ${e.epoch}: loss ${e.loss.toFixed(4)}, epsilon ${e.epsilon.toFixed(3)} at delta ${delta}, ` +
          `${(e.clippedFraction * 100).toFixed(0)}% of gradients clipped\n`,
      ),
  });
  const bytes = model.toOnnx();
  let testAccuracy: number | null = null;
  if (testSet) {
    const clf = await onnxClassifier(bytes, model.input, model.classes, threads);
    testAccuracy = await accuracy(clf, testSet);
    await clf.close();
  }
  const reportPath = flags.report ?? `${flags.out.replace(/\.onnx$/i, '')}.dp.json`;
  const report = dpEvidenceReport(
    {
      name: basename(flags.out),
      bytes,
      architecture: flags.model,
      examples: trainSet.size,
      epochs,
      batchSize,
      testAccuracy,
      startedAt,
    },
    result,
  );
  try {
    writeFileSync(flags.out, bytes);
    writeFileSync(reportPath, `${JSON.stringify(report, null, 2)}\n`);
  } catch (e) {
    throw new WardenError('IO_ERROR', `cannot write ${flags.out}: ${(e as Error).message}`, { cause: e });
  }
  const summary = {
    model: flags.model,
    parameters: model.parameterCount,
    examples: trainSet.size,
    epochs,
    dp: {
      epsilon: result.epsilon,
      delta,
      noiseMultiplier: result.noiseMultiplier,
      maxGradNorm,
      sampleRate: result.sampleRate,
      steps: result.steps,
      accountant: result.accountant,
      perEpoch: result.epochs,
    },
    testAccuracy,
    seconds: result.seconds,
    msPerStep: (result.seconds * 1000) / Math.max(1, result.steps),
    out: flags.out,
    report: reportPath,
  };
  if (flags.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
  else
    process.stdout.write(
      `wrote ${flags.out} and ${reportPath}: epsilon ${result.epsilon.toFixed(3)} at delta ${delta} ` +
        `(sigma ${result.noiseMultiplier.toFixed(4)}, ${result.steps} steps)` +
        (testAccuracy === null ? '' : `, test accuracy ${(testAccuracy * 100).toFixed(2)}%`) +
        ` (${result.seconds.toFixed(1)} s)\n`,
    );
  return EXIT.ok;
}
