import { seededRandom } from '../../core/index.js';
import { gaussian, gradSession, project } from '../attacks/grad-session.js';
import type { Model } from '../models/model.js';
import type { TrainOptions } from '../train.js';

/** TRADES (Zhang et al. 2019): budget of the inner maximisation and the robustness weight beta. */
export interface TradesOptions {
  eps: number;
  /** Weight of the KL (robustness) term; the paper uses 1 to 6. */
  beta?: number;
  steps?: number;
  /** Inner step size (default 2.5 * eps / steps). */
  alpha?: number;
  seed?: number;
  threads?: number;
}

function softmax(logits: Float32Array, classes: number): Float32Array {
  const out = new Float32Array(logits.length);
  for (let i = 0; i < logits.length / classes; i++) {
    const row = logits.subarray(i * classes, (i + 1) * classes);
    const m = Math.max(...row);
    let s = 0;
    for (let c = 0; c < classes; c++) s += Math.exp((row[c] as number) - m);
    for (let c = 0; c < classes; c++) out[i * classes + c] = Math.exp((row[c] as number) - m) / s;
  }
  return out;
}

/**
 * The TRADES pieces for `train`: `perturb` finds x' in the Linf eps-ball maximising KL(f(x) || f(x')) by
 * projected sign-gradient ascent from x + 0.001 N(0, 1), against the current weights (fed live, no rebuild);
 * `trades` switches the training loss to CE + beta * KL. Spread both into the options of `train`.
 */
export async function tradesPerturber(
  model: Model,
  o: TradesOptions,
): Promise<{
  perturb: NonNullable<TrainOptions['perturb']>;
  trades: { beta: number };
  close(): Promise<void>;
}> {
  const steps = o.steps ?? 10;
  const alpha = o.alpha ?? (2.5 * o.eps) / steps;
  const classes = model.classes;
  // -sum p_clean * log softmax(f(x')) has the gradient of KL(p_clean || f(x')) in x' (the entropy term is constant)
  const s = await gradSession(
    {
      input: model.input,
      classes,
      logits: () => Promise.reject(new Error('unused')),
      emit: (g, x) => model.emit(g, x),
    },
    { pc: [classes] },
    (g, logits, _x, e) =>
      g.op1('Neg', [
        g.op1(
          'ReduceSum',
          [
            g.op1('Mul', [e.pc as string, g.op1('LogSoftmax', [logits], { axis: { i: 1 } })]),
            g.constantInt([1]),
          ],
          {
            keepdims: { i: 0 },
          },
        ),
      ]),
    {
      threads: o.threads ?? 1,
      liveWeights: () =>
        Object.fromEntries(model.params.map((p) => [p.name, { data: p.data, dims: p.dims }])),
    },
  );
  const rnd = seededRandom(o.seed ?? 0);
  return {
    trades: { beta: o.beta ?? 6 },
    async perturb(x0, _y, n) {
      const per = x0.length / n;
      const pc = softmax((await s.run(x0, n, { pc: new Float32Array(n * classes) })).logits, classes);
      const x = Float32Array.from(x0, (v) => Math.min(1, Math.max(0, v + 0.001 * gaussian(rnd))));
      for (let k = 0; k < steps; k++) {
        const { grad } = await s.run(x, n, { pc });
        for (let j = 0; j < x.length; j++) x[j] = (x[j] as number) + alpha * Math.sign(grad[j] as number);
        for (let i = 0; i < n; i++) project(x, x0, i, per, o.eps, 'inf', 0, 1);
      }
      return x;
    },
    close: () => s.close(),
  };
}
