import { SecureRandom } from '../../core/index.js';
import { Session, adam, oneHot, sgd, type Dataset, type Model } from '../../robustness/index.js';
import { createAccountant, type AccountantOptions } from '../accountants/registry.js';
import type { AccountantName, Phase } from '../accountants/types.js';
import { getNoiseMultiplier, stepsFromEpochs } from '../calibrate.js';
import { checkDelta, checkNoiseMultiplier, checkSampleRate, privacyError } from '../errors.js';
import { assembleGradients, dpStepGraph } from './graph.js';

/** How to train with DP-SGD: the privacy knobs, then the optimizer's. */
export interface DpTrainOptions {
  epochs: number;
  /** Expected batch size; each example joins a step with probability q = batchSize / N. */
  batchSize: number;
  maxGradNorm: number;
  /** Exactly one of noiseMultiplier and targetEpsilon. */
  noiseMultiplier?: number;
  targetEpsilon?: number;
  delta: number;
  accountant?: AccountantName;
  accountantOptions?: AccountantOptions;
  optimizer?: 'sgd' | 'adam';
  lr?: number;
  momentum?: number;
  /** Key material of the secure generator for sampling and noise; absent = fresh OS randomness. */
  noiseSeed?: string | number;
  threads?: number;
  onStep?: (info: { epoch: number; step: number; steps: number; batch: number; loss: number }) => void;
  onEpoch?: (info: DpEpoch) => void;
}

/** The state after one epoch: what the accountant has spent so far. */
export interface DpEpoch {
  epoch: number;
  steps: number;
  loss: number;
  epsilon: number;
  clippedFraction: number;
}

/** What a DP-SGD run spent and how it went. */
export interface DpTrainResult {
  epochs: DpEpoch[];
  steps: number;
  sampleRate: number;
  noiseMultiplier: number;
  maxGradNorm: number;
  delta: number;
  epsilon: number;
  accountant: AccountantName;
  history: Phase[];
  meanBatch: number;
  noiseSeeded: boolean;
  seconds: number;
}

/** sigma from the options: given, or calibrated to the target epsilon over the run's steps. */
export function resolveNoise(o: DpTrainOptions, sampleRate: number, steps: number): number {
  if ((o.noiseMultiplier === undefined) === (o.targetEpsilon === undefined))
    throw privacyError('PRIVACY_INVALID_OPTION', 'give exactly one of noise multiplier and target epsilon');
  if (o.noiseMultiplier !== undefined) {
    checkNoiseMultiplier(o.noiseMultiplier);
    return o.noiseMultiplier;
  }
  return getNoiseMultiplier({
    targetEpsilon: o.targetEpsilon as number,
    delta: o.delta,
    sampleRate,
    steps,
    accountant: o.accountant ?? 'rdp',
    ...(o.accountantOptions ? { accountantOptions: o.accountantOptions } : {}),
  });
}

/**
 * Trains `model` in place with DP-SGD (Abadi et al. 2016, as Opacus): Poisson sampling at q = B / N,
 * per-example clipping to `maxGradNorm`, Gaussian noise of std sigma * C on the clipped sum, divided by
 * the expected batch size B. Steps = int(epochs / q), as Opacus counts them; the accountant follows.
 */
export async function dpTrain(model: Model, data: Dataset, o: DpTrainOptions): Promise<DpTrainResult> {
  const t0 = performance.now();
  if (!(o.maxGradNorm > 0 && Number.isFinite(o.maxGradNorm)))
    throw privacyError('PRIVACY_INVALID_OPTION', `max grad norm must be > 0, got ${o.maxGradNorm}`);
  checkDelta(o.delta);
  const q = o.batchSize / data.size;
  checkSampleRate(q);
  const total = stepsFromEpochs(o.epochs, q);
  const sigma = resolveNoise(o, q, total);
  const accountantName = o.accountant ?? 'rdp';
  const accountant = createAccountant(accountantName, o.accountantOptions);
  const rng = new SecureRandom(o.noiseSeed);
  const step = dpStepGraph(model, o.maxGradNorm);
  const session = await Session.create(step.bytes, { threads: o.threads ?? 1 });
  const per = model.input.reduce((a, b) => a * b, 1);
  const grads = new Map(model.params.map((p) => [p.name, new Float32Array(p.data.length)]));
  const m = model.params.map((p) => new Float32Array(p.data.length));
  const v = model.params.map((p) => new Float32Array(p.data.length));
  const lr = o.lr ?? (o.optimizer === 'adam' ? 1e-3 : 0.1);
  const xb = new Float32Array(data.size * per);
  const yb = new Uint8Array(data.size);
  const epochs: DpEpoch[] = [];
  let batchTotal = 0;
  let t = 0;
  try {
    for (let epoch = 0; epoch < Math.ceil(o.epochs); epoch++) {
      const end = Math.min(total, Math.floor(((epoch + 1) * total) / Math.ceil(o.epochs)));
      const first = t;
      let lossSum = 0;
      let seen = 0;
      let clipped = 0;
      for (; t < end; t++) {
        let n = 0;
        for (let i = 0; i < data.size; i++)
          if (rng.uniform() < q) {
            xb.set(data.x.subarray(i * per, (i + 1) * per), n * per);
            yb[n++] = data.y[i] ?? 0;
          }
        batchTotal += n;
        if (n === 0) for (const gr of grads.values()) gr.fill(0);
        else {
          const feeds: Record<string, { data: Float32Array; dims: number[] }> = {
            x: { data: xb.subarray(0, n * per), dims: [n, ...model.input] },
            y: { data: oneHot(yb, model.classes, 0, n), dims: [n, model.classes] },
          };
          for (const p of model.params) feeds[p.name] = { data: p.data, dims: p.dims };
          const out = await session.run(feeds);
          assembleGradients(step.pieces, out, grads);
          lossSum += (out[step.lossSum]?.data as Float32Array)[0] ?? 0;
          clipped += (out[step.clipped]?.data as Float32Array)[0] ?? 0;
          seen += n;
        }
        model.params.forEach((p, k) => {
          const gr = grads.get(p.name) as Float32Array;
          rng.addGaussian(gr, sigma * o.maxGradNorm);
          const inv = 1 / o.batchSize;
          for (let j = 0; j < gr.length; j++) gr[j] = (gr[j] as number) * inv;
          if (o.optimizer === 'adam') adam(p.data, gr, m[k] as Float32Array, v[k] as Float32Array, lr, t + 1);
          else sgd(p.data, gr, m[k] as Float32Array, lr, o.momentum ?? 0);
        });
        accountant.step(sigma, q);
        o.onStep?.({ epoch, step: t - first, steps: end - first, batch: n, loss: n ? lossSum / seen : NaN });
      }
      const info: DpEpoch = {
        epoch: epoch + 1,
        steps: t,
        loss: seen ? lossSum / seen : NaN,
        epsilon: accountant.getEpsilon(o.delta),
        clippedFraction: seen ? clipped / seen : 0,
      };
      epochs.push(info);
      o.onEpoch?.(info);
    }
  } finally {
    await session.release();
  }
  return {
    epochs,
    steps: t,
    sampleRate: q,
    noiseMultiplier: sigma,
    maxGradNorm: o.maxGradNorm,
    delta: o.delta,
    epsilon: epochs[epochs.length - 1]?.epsilon ?? 0,
    accountant: accountantName,
    history: accountant.history.map((h) => ({ ...h })),
    meanBatch: t ? batchTotal / t : 0,
    noiseSeeded: rng.seeded,
    seconds: (performance.now() - t0) / 1000,
  };
}
