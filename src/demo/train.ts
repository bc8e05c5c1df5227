import type { Report } from '../core/index.js';
import { dpEvidenceReport, dpTrain, stepsFromEpochs, type DpTrainResult } from '../privacy/index.js';
import { Model, pgdPerturber, train, type Dataset } from '../robustness/index.js';
import type { DemoOptions } from './options.js';
import type { StepProgress } from './progress.js';

export const VARIANT_NAMES = ['baseline', 'pgd-at', 'dp-sgd', 'dp-pgd-at'] as const;
export type VariantName = (typeof VARIANT_NAMES)[number];

/** One trained model variant and how it came to be. */
export interface Variant {
  name: VariantName;
  description: string;
  model: Model;
  /** The inference model as ONNX, exactly the bytes exported, signed and registered. */
  bytes: Uint8Array;
  /** The variant this one was fine-tuned from. */
  parent?: VariantName;
  /** PGD adversarial training: the eps levels it ramped through. */
  adversarial?: { eps: number[]; steps: number };
  dp?: { result: DpTrainResult; report: Report };
  trainSeconds: number;
}

export const ARCHITECTURE = 'mnist-mlp';
type Perturb = (x: Float32Array, y: Uint8Array, n: number) => Promise<Float32Array>;

/**
 * PGD adversarial examples whose eps ramps from the small to the large budget over the first half of the
 * run (a fixed large eps from the start does not train: the model collapses to chance), after an optional
 * clean warm-up fraction. One perturber per level, all reading the live weights.
 */
async function rampedPerturber(
  model: Model,
  levels: number[],
  steps: number,
  totalSteps: number,
  o: { warmup: number; seed: number; threads: number },
): Promise<{ perturb: Perturb; close(): Promise<void> }> {
  const ps = await Promise.all(
    levels.map((eps, k) => pgdPerturber(model, { eps, steps, seed: o.seed + k, threads: o.threads })),
  );
  let t = 0;
  const ramp = 0.5 - o.warmup;
  return {
    perturb: (x, y, n) => {
      const f = t++ / Math.max(1, totalSteps);
      if (f < o.warmup) return Promise.resolve(x);
      const level = Math.min(levels.length - 1, Math.floor(((f - o.warmup) / ramp) * levels.length));
      return (ps[level] as (typeof ps)[number]).perturb(x, y, n);
    },
    close: async () => {
      for (const p of ps) await p.close();
    },
  };
}

/** The eps levels an adversarially trained variant ramps through: from eps1 to eps2 in three steps. */
export function epsLevels(eps: readonly [number, number]): number[] {
  const [a, b] = eps;
  return [a, Number(((a + b) / 2).toFixed(4)), b];
}

const onTrainStep =
  (p: StepProgress, epochs: number) =>
  ({ epoch, step, steps, loss }: { epoch: number; step: number; steps: number; loss: number }) =>
    p.update(
      epoch * steps + step + 1,
      epochs * steps,
      `epoch ${epoch + 1}/${epochs} loss ${loss.toFixed(3)}`,
    );

/** The non-private, non-robust baseline: Adam on the clean training digits. */
export async function trainBaseline(data: Dataset, o: DemoOptions, p: StepProgress): Promise<Variant> {
  const model = Model.create(ARCHITECTURE, o.seed);
  const r = await train(model, data, {
    epochs: o.sizes.baselineEpochs,
    batchSize: 128,
    seed: o.seed,
    threads: o.threads,
    onStep: onTrainStep(p, o.sizes.baselineEpochs),
  });
  return {
    name: 'baseline',
    description: 'clean training (Adam)',
    model,
    bytes: model.toOnnx(),
    trainSeconds: r.seconds,
  };
}

/** PGD adversarial training (Madry et al.), fine-tuned from the baseline's weights. */
export async function trainAdversarial(
  base: Variant,
  data: Dataset,
  o: DemoOptions,
  p: StepProgress,
): Promise<Variant> {
  const model = Model.create(ARCHITECTURE, o.seed);
  base.model.params.forEach((q, k) => model.params[k]?.data.set(q.data));
  const levels = epsLevels(o.eps);
  const epochs = o.sizes.advEpochs;
  const total = epochs * Math.ceil(data.size / 128);
  const pert = await rampedPerturber(model, levels, o.sizes.advSteps, total, {
    warmup: 0,
    seed: o.seed,
    threads: o.threads,
  });
  try {
    const r = await train(model, data, {
      epochs,
      batchSize: 128,
      seed: o.seed + 1,
      threads: o.threads,
      perturb: pert.perturb,
      onStep: onTrainStep(p, epochs),
    });
    return {
      name: 'pgd-at',
      description: `PGD-${o.sizes.advSteps} adversarial training, eps ${levels.join(' -> ')}`,
      model,
      bytes: model.toOnnx(),
      parent: 'baseline',
      adversarial: { eps: levels, steps: o.sizes.advSteps },
      trainSeconds: r.seconds,
    };
  } finally {
    await pert.close();
  }
}

/**
 * DP-SGD from scratch to the target epsilon (a private model cannot start from the non-private baseline's
 * weights: they already saw the data). With `adversarial`, every Poisson-sampled batch is replaced by its PGD
 * examples against the current private weights (after a clean warm-up, eps ramping up to the smaller
 * budget), which keeps the same accounting.
 */
export async function trainPrivate(
  data: Dataset,
  o: DemoOptions,
  p: StepProgress,
  adversarial: boolean,
): Promise<Variant> {
  const startedAt = new Date().toISOString();
  const model = Model.create(ARCHITECTURE, o.seed);
  const { dpEpochs: epochs, dpBatch: batchSize } = o.sizes;
  const total = stepsFromEpochs(epochs, batchSize / data.size);
  // Under DP noise the small MLP has no room for the large budget (trained up to it, it falls to ~60% clean
  // accuracy with little robustness): the private variant ramps only to the smaller eps.
  const levels = [o.eps[0] / 2, o.eps[0]];
  const pert = adversarial
    ? await rampedPerturber(model, levels, o.sizes.advSteps, total, {
        warmup: 0.3,
        seed: o.seed,
        threads: o.threads,
      })
    : undefined;
  let done = 0;
  try {
    const result = await dpTrain(model, data, {
      epochs,
      batchSize,
      maxGradNorm: 1,
      // plain SGD at lr 1 on the clipped, noised mean: what reaches ~93% at epsilon 8 (docs/benchmarks.md)
      optimizer: 'sgd',
      lr: 1,
      targetEpsilon: o.targetEpsilon,
      delta: o.delta,
      threads: o.threads,
      ...(pert ? { perturb: pert.perturb } : {}),
      onStep: ({ epoch, loss }) =>
        p.update(++done, total, `epoch ${epoch + 1}/${epochs} loss ${loss.toFixed(3)}`),
    });
    const bytes = model.toOnnx();
    const report = dpEvidenceReport(
      {
        name: adversarial ? 'dp-pgd-at' : 'dp-sgd',
        bytes,
        architecture: ARCHITECTURE,
        examples: data.size,
        epochs,
        batchSize,
        testAccuracy: null,
        startedAt,
      },
      result,
    );
    return {
      name: adversarial ? 'dp-pgd-at' : 'dp-sgd',
      description: adversarial
        ? `DP-SGD + PGD-${o.sizes.advSteps} adversarial examples, eps ${levels.join(' -> ')}`
        : 'DP-SGD (Poisson sampling, clipping 1, Gaussian noise)',
      model,
      bytes,
      ...(pert ? { adversarial: { eps: levels, steps: o.sizes.advSteps } } : {}),
      dp: { result, report },
      trainSeconds: result.seconds,
    };
  } finally {
    await pert?.close();
  }
}
