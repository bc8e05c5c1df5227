import { SecureRandom } from '../../core/index.js';
import { Session, adam, oneHot, sgd, type Dataset, type Model } from '../../robustness/index.js';
import { createAccountant, type AccountantOptions } from '../accountants/registry.js';
import type { AccountantName, Phase } from '../accountants/types.js';
import { getNoiseMultiplier, stepsFromEpochs } from '../calibrate.js';
import { checkDelta, checkNoiseMultiplier, checkSampleRate, privacyError } from '../errors.js';
import { assembleGradients, dpStepGraph, type DpStepGraph } from './graph.js';
import { noiseSource, type NoiseSource } from './noise.js';

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
  /**
   * Replaces each sampled batch by a perturbed one before its per-example gradients (e.g. `pgdPerturber`:
   * DP adversarial training). Each example's replacement depends only on that example and the current,
   * already-private weights, so clipping still bounds its contribution and the accounting is unchanged.
   */
  perturb?: (x: Float32Array, y: Uint8Array, n: number) => Promise<Float32Array>;
  onStep?: (info: { epoch: number; step: number; steps: number; batch: number; loss: number }) => void;
  onEpoch?: (info: DpEpoch) => void;
}

/** What one step needs: the expected batch, clipping bound, noise and optimizer. */
export type DpStepOptions = Pick<
  DpTrainOptions,
  'batchSize' | 'maxGradNorm' | 'optimizer' | 'lr' | 'momentum' | 'noiseSeed' | 'threads' | 'perturb'
> & {
  noiseMultiplier: number;
  /** Draw the noise on the training thread instead of a worker (default: only where no worker can load). */
  inlineNoise?: boolean;
};

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

/** One DP-SGD step at a time: sample, clip, noise, update; the training loop and the benchmark share it. */
export class DpStepper {
  private readonly per: number;
  private readonly grads: Map<string, Float32Array>;
  private readonly m: Float32Array[];
  private readonly v: Float32Array[];
  private readonly xb: Float32Array;
  private readonly yb: Uint8Array;
  private readonly uniforms: Float64Array;
  private t = 0;

  private constructor(
    private readonly model: Model,
    private readonly data: Dataset,
    private readonly session: Session,
    private readonly graph: DpStepGraph,
    private readonly rng: SecureRandom,
    private readonly noise: NoiseSource,
    private readonly o: DpStepOptions,
  ) {
    this.per = model.input.reduce((a, b) => a * b, 1);
    this.grads = new Map(model.params.map((p) => [p.name, new Float32Array(p.data.length)]));
    this.m = model.params.map((p) => new Float32Array(p.data.length));
    this.v = model.params.map((p) => new Float32Array(p.data.length));
    this.xb = new Float32Array(data.size * this.per);
    this.yb = new Uint8Array(data.size);
    this.uniforms = new Float64Array(data.size);
  }

  static async create(model: Model, data: Dataset, o: DpStepOptions): Promise<DpStepper> {
    const graph = dpStepGraph(model, o.maxGradNorm);
    const session = await Session.create(graph.bytes, { threads: o.threads ?? 1 });
    const seed = o.noiseSeed;
    // two generators (sampling here, noise maybe on a worker) so both paths draw the same streams
    const rng = new SecureRandom(seed === undefined ? undefined : `sampling:${seed}`);
    const size = model.params.reduce((a, p) => a + p.data.length, 0);
    return new DpStepper(model, data, session, graph, rng, noiseSource(size, seed, o.inlineNoise), o);
  }

  get seeded(): boolean {
    return this.o.noiseSeed !== undefined;
  }

  /** Poisson-samples a batch at rate q, and updates the weights from its clipped, noised gradient. */
  async step(): Promise<{ batch: number; lossSum: number; clipped: number }> {
    const { model, data, per, xb, yb, o } = this;
    const q = o.batchSize / data.size;
    const u = this.uniforms;
    this.rng.fillUniform(u);
    let n = 0;
    for (let i = 0; i < data.size; i++)
      if ((u[i] as number) < q) {
        xb.set(data.x.subarray(i * per, (i + 1) * per), n * per);
        yb[n++] = data.y[i] ?? 0;
      }
    let lossSum = 0;
    let clipped = 0;
    let grads = this.grads;
    if (n === 0) for (const gr of grads.values()) gr.fill(0);
    else {
      const clean = xb.subarray(0, n * per);
      const x = o.perturb ? await o.perturb(clean, yb.subarray(0, n), n) : clean;
      const feeds: Record<string, { data: Float32Array; dims: number[] }> = {
        x: { data: x, dims: [n, ...model.input] },
        y: { data: oneHot(yb, model.classes, 0, n), dims: [n, model.classes] },
      };
      for (const p of model.params) feeds[p.name] = { data: p.data, dims: p.dims };
      const out = await this.session.run(feeds);
      grads = assembleGradients(this.graph.pieces, out, this.grads);
      lossSum = (out[this.graph.lossSum]?.data as Float32Array)[0] ?? 0;
      clipped = (out[this.graph.clipped]?.data as Float32Array)[0] ?? 0;
    }
    this.t++;
    const lr = o.lr ?? (o.optimizer === 'adam' ? 1e-3 : 0.1);
    const inv = 1 / o.batchSize;
    const std = o.noiseMultiplier * o.maxGradNorm;
    const z = this.noise.take();
    let off = 0;
    model.params.forEach((p, k) => {
      const gr = grads.get(p.name) as Float32Array;
      // noise of std sigma * C on the clipped sum, then the mean over the expected batch size (as Opacus)
      for (let j = 0; j < gr.length; j++) gr[j] = ((gr[j] as number) + std * (z[off + j] as number)) * inv;
      off += gr.length;
      if (o.optimizer === 'adam')
        adam(p.data, gr, this.m[k] as Float32Array, this.v[k] as Float32Array, lr, this.t);
      else sgd(p.data, gr, this.m[k] as Float32Array, lr, o.momentum ?? 0);
    });
    this.noise.release();
    return { batch: n, lossSum, clipped };
  }

  async close(): Promise<void> {
    await this.noise.close();
    await this.session.release();
  }
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
  const stepper = await DpStepper.create(model, data, { ...o, noiseMultiplier: sigma });
  const epochs: DpEpoch[] = [];
  const rounds = Math.ceil(o.epochs);
  let batchTotal = 0;
  let t = 0;
  try {
    for (let epoch = 0; epoch < rounds; epoch++) {
      const end = Math.min(total, Math.floor(((epoch + 1) * total) / rounds));
      const first = t;
      let lossSum = 0;
      let seen = 0;
      let clipped = 0;
      for (; t < end; t++) {
        const r = await stepper.step();
        batchTotal += r.batch;
        lossSum += r.lossSum;
        seen += r.batch;
        clipped += r.clipped;
        accountant.step(sigma, q);
        o.onStep?.({
          epoch,
          step: t - first,
          steps: end - first,
          batch: r.batch,
          loss: seen ? lossSum / seen : NaN,
        });
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
    await stepper.close();
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
    noiseSeeded: stepper.seeded,
    seconds: (performance.now() - t0) / 1000,
  };
}
