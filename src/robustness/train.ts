import { seededRandom } from '../core/index.js';
import { differentiate } from './engine/autodiff.js';
import { Graph } from './engine/graph.js';
import { Session } from './engine/session.js';
import type { Dataset } from './data/dataset.js';
import { crossEntropy, oneHot } from './models/loss.js';
import type { Model } from './models/model.js';

/** How to train: epochs, batch, optimizer, seed. */
export interface TrainOptions {
  epochs: number;
  batchSize?: number;
  lr?: number;
  optimizer?: 'adam' | 'sgd';
  momentum?: number;
  seed?: number;
  threads?: number;
  /** Replaces each clean batch by a perturbed one before the step (adversarial training). */
  perturb?: (x: Float32Array, y: Uint8Array, n: number) => Promise<Float32Array>;
  onStep?: (info: { epoch: number; step: number; steps: number; loss: number }) => void;
}

export interface TrainResult {
  epochLoss: number[];
  steps: number;
  seconds: number;
}

/** One ONNX graph computing the mean loss and d(loss)/d(weight) for every weight, weights fed per step. */
export function trainStepGraph(model: Model): { bytes: Uint8Array; loss: string; grads: string[] } {
  const g = new Graph();
  const x = g.input('x', [-1, ...model.input]);
  const y = g.input('y', [-1, model.classes]);
  const loss = g.output(crossEntropy(g, model.emit(g, x), y, 'mean'));
  const names = model.params.map((p) => p.name);
  const grads = differentiate(g, loss, names);
  const gradNames = names.map((n) => g.output(grads.get(n) as string));
  return { bytes: g.toBytes({ asInputs: names }), loss, grads: gradNames };
}

/** Trains `model` in place with mini-batch SGD (momentum) or Adam; batches shuffled by a seeded generator. */
export async function train(model: Model, data: Dataset, opts: TrainOptions): Promise<TrainResult> {
  const t0 = performance.now();
  const batch = opts.batchSize ?? 128;
  const lr = opts.lr ?? (opts.optimizer === 'sgd' ? 0.05 : 1e-3);
  const step = trainStepGraph(model);
  const session = await Session.create(step.bytes, { threads: opts.threads ?? 1 });
  const per = model.input.reduce((a, b) => a * b, 1);
  const rnd = seededRandom(opts.seed ?? 0);
  const m = model.params.map((p) => new Float32Array(p.data.length));
  const v = model.params.map((p) => new Float32Array(p.data.length));
  const order = Uint32Array.from({ length: data.size }, (_, k) => k);
  const steps = Math.ceil(data.size / batch);
  const epochLoss: number[] = [];
  let t = 0;
  try {
    for (let epoch = 0; epoch < opts.epochs; epoch++) {
      for (let k = order.length - 1; k > 0; k--) {
        const j = Math.floor(rnd() * (k + 1));
        [order[k], order[j]] = [order[j] as number, order[k] as number];
      }
      let sum = 0;
      for (let s = 0; s < steps; s++) {
        const idx = order.subarray(s * batch, Math.min((s + 1) * batch, order.length));
        const n = idx.length;
        let xb: Float32Array = new Float32Array(n * per);
        const yb = new Uint8Array(n);
        idx.forEach((i, k) => {
          xb.set(data.x.subarray(i * per, (i + 1) * per), k * per);
          yb[k] = data.y[i] ?? 0;
        });
        if (opts.perturb) xb = await opts.perturb(xb, yb, n);
        const feeds: Record<string, { data: Float32Array; dims: number[] }> = {
          x: { data: xb, dims: [n, ...model.input] },
          y: { data: oneHot(yb, model.classes), dims: [n, model.classes] },
        };
        for (const p of model.params) feeds[p.name] = { data: p.data, dims: p.dims };
        const out = await session.run(feeds);
        const loss = (out[step.loss]?.data as Float32Array)[0] ?? NaN;
        sum += loss;
        t++;
        model.params.forEach((p, k) => {
          const g = out[step.grads[k] as string]?.data as Float32Array;
          if (opts.optimizer === 'sgd') sgd(p.data, g, m[k] as Float32Array, lr, opts.momentum ?? 0.9);
          else adam(p.data, g, m[k] as Float32Array, v[k] as Float32Array, lr, t);
        });
        opts.onStep?.({ epoch, step: s, steps, loss });
      }
      epochLoss.push(sum / steps);
    }
  } finally {
    await session.release();
  }
  return { epochLoss, steps: t, seconds: (performance.now() - t0) / 1000 };
}

export function sgd(w: Float32Array, g: Float32Array, buf: Float32Array, lr: number, mom: number): void {
  for (let k = 0; k < w.length; k++) {
    const b = mom * (buf[k] as number) + (g[k] as number);
    buf[k] = b;
    w[k] = (w[k] as number) - lr * b;
  }
}

export function adam(
  w: Float32Array,
  g: Float32Array,
  m: Float32Array,
  v: Float32Array,
  lr: number,
  t: number,
): void {
  const b1 = 0.9;
  const b2 = 0.999;
  const c1 = 1 - b1 ** t;
  const c2 = 1 - b2 ** t;
  for (let k = 0; k < w.length; k++) {
    const gk = g[k] as number;
    const mk = b1 * (m[k] as number) + (1 - b1) * gk;
    const vk = b2 * (v[k] as number) + (1 - b2) * gk * gk;
    m[k] = mk;
    v[k] = vk;
    w[k] = (w[k] as number) - (lr * (mk / c1)) / (Math.sqrt(vk / c2) + 1e-8);
  }
}
