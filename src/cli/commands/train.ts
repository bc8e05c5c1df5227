import { writeFileSync } from 'node:fs';
import { WardenError } from '../../core/index.js';
import {
  Model,
  ARCHITECTURES,
  resolveDataset,
  train,
  onnxClassifier,
  accuracy,
  pgdPerturber,
} from '../../robustness/index.js';
import { EXIT, type ExitCode } from '../exit.js';
import { numberFlag, positiveInt } from '../flags.js';

export interface TrainFlags {
  model: string;
  data: string;
  labels?: string;
  out: string;
  epochs?: string;
  batchSize?: string;
  lr?: string;
  optimizer: string;
  seed?: string;
  threads?: string;
  json?: boolean;
  adv?: string;
  eps?: string;
  advSteps?: string;
  dp?: boolean;
}

/** Trains a model defined in code on a data set and writes it as ONNX (ready for `warden serve` and attacks). */
export async function runTrain(flags: TrainFlags): Promise<ExitCode> {
  if (flags.dp) return (await import('./dp-train.js')).runDpTrain(flags);
  if (!ARCHITECTURES[flags.model])
    throw new WardenError('USAGE', `--model must be one of ${Object.keys(ARCHITECTURES).join(', ')}`, {
      kind: 'usage',
    });
  if (flags.optimizer !== 'adam' && flags.optimizer !== 'sgd')
    throw new WardenError('USAGE', '--optimizer must be adam or sgd', { kind: 'usage' });
  const epochs = positiveInt('--epochs', flags.epochs) ?? 3;
  const batchSize = positiveInt('--batch-size', flags.batchSize) ?? 128;
  const lr = numberFlag('--lr', flags.lr, { min: 0, exclusiveMin: true, max: 10 });
  const seed = flags.seed === undefined ? 0 : (numberFlag('--seed', flags.seed, { min: 0 }) ?? 0);
  const threads = positiveInt('--threads', flags.threads) ?? 1;
  const trainSet = resolveDataset(flags.data, flags.labels, 'train');
  const testSet = flags.data === 'mnist' ? resolveDataset('mnist', undefined, 'test') : undefined;
  const model = Model.create(flags.model, seed);
  if (flags.adv !== undefined && flags.adv !== 'pgd' && flags.adv !== 'fgsm')
    throw new WardenError('USAGE', '--adv must be pgd or fgsm', { kind: 'usage' });
  const advEps = numberFlag('--eps', flags.eps, { min: 0, exclusiveMin: true, max: 1 });
  if (flags.adv && advEps === undefined)
    throw new WardenError('USAGE', '--adv needs --eps', { kind: 'usage' });
  // fgsm here is "fast" adversarial training: one step from a random start (Wong et al. 2020)
  const perturber =
    flags.adv && advEps !== undefined
      ? await pgdPerturber(model, {
          eps: advEps,
          steps: flags.adv === 'fgsm' ? 1 : (positiveInt('--adv-steps', flags.advSteps) ?? 7),
          seed,
          threads,
        })
      : undefined;
  const log = (s: string) => {
    if (!flags.json) process.stderr.write(s);
  };
  log(`training ${flags.model} (${model.parameterCount} weights) on ${trainSet.size} examples\n`);
  const result = await train(model, trainSet, {
    epochs,
    batchSize,
    optimizer: flags.optimizer,
    seed,
    threads,
    ...(lr === undefined ? {} : { lr }),
    ...(perturber ? { perturb: perturber.perturb } : {}),
    onStep: ({ epoch, step, steps, loss }) => {
      if (step % 10 === 0 || step === steps - 1)
        log(`\repoch ${epoch + 1}/${epochs} step ${step + 1}/${steps} loss ${loss.toFixed(4)}   `);
    },
  });
  await perturber?.close();
  log('\n');
  const bytes = model.toOnnx();
  let testAccuracy: number | null = null;
  if (testSet) {
    const clf = await onnxClassifier(bytes, model.input, model.classes, threads);
    testAccuracy = await accuracy(clf, testSet);
    await clf.close();
  }
  try {
    writeFileSync(flags.out, bytes);
  } catch (e) {
    throw new WardenError('IO_ERROR', `cannot write ${flags.out}: ${(e as Error).message}`, { cause: e });
  }
  const summary = {
    model: flags.model,
    parameters: model.parameterCount,
    examples: trainSet.size,
    epochs,
    adversarial: flags.adv ? { attack: flags.adv, eps: advEps } : null,
    epochLoss: result.epochLoss,
    testAccuracy,
    seconds: result.seconds,
    msPerStep: (result.seconds * 1000) / result.steps,
    out: flags.out,
  };
  if (flags.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
  else
    process.stdout.write(
      `wrote ${flags.out}: loss ${result.epochLoss.map((l) => l.toFixed(4)).join(' -> ')}` +
        (testAccuracy === null ? '' : `, test accuracy ${(testAccuracy * 100).toFixed(2)}%`) +
        ` (${result.seconds.toFixed(1)} s)\n`,
    );
  return EXIT.ok;
}
