import { seededRandom } from '../../core/index.js';
import type { Model } from '../models/model.js';
import type { TrainOptions } from '../train.js';
import { stepSession } from './step-graph.js';
import type { Norm } from './types.js';

/** PGD adversarial training (Madry et al. 2018): what to perturb each batch with. */
export interface AdversarialTrainingOptions {
  eps: number;
  norm?: Norm;
  /** PGD steps per batch; 1 with a random start is "fast" FGSM training (Wong et al. 2020). */
  steps?: number;
  alpha?: number;
  seed?: number;
  threads?: number;
}

/**
 * Builds the `perturb` hook of `train`: every batch is replaced by its PGD adversarial examples against the
 * current weights. The step graph is built once with the weights as inputs, so no rebuild per update.
 */
export async function pgdPerturber(
  model: Model,
  o: AdversarialTrainingOptions,
): Promise<{ perturb: NonNullable<TrainOptions['perturb']>; close(): Promise<void> }> {
  const steps = o.steps ?? 7;
  const norm = o.norm ?? 'inf';
  const alpha = o.alpha ?? (steps === 1 ? 1.25 * o.eps : (2.5 * o.eps) / steps);
  const session = await stepSession(
    {
      input: model.input,
      classes: model.classes,
      logits: () => Promise.reject(new Error('unused')),
      emit: (g, x) => model.emit(g, x),
    },
    {
      eps: o.eps,
      alpha,
      norm,
      clipMin: 0,
      clipMax: 1,
      threads: o.threads ?? 1,
      liveWeights: () =>
        Object.fromEntries(model.params.map((p) => [p.name, { data: p.data, dims: p.dims }])),
    },
  );
  const rnd = seededRandom(o.seed ?? 0);
  return {
    async perturb(x0, y, n) {
      let x = Float32Array.from(x0, (v) =>
        Math.min(1, Math.max(0, v + (norm === 'inf' ? (rnd() * 2 - 1) * o.eps : 0))),
      );
      for (let s = 0; s < steps; s++) x = Float32Array.from((await session.step(x, x0, y, n)).next);
      return x;
    },
    close: () => session.close(),
  };
}
