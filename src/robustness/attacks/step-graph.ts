import { Graph } from '../engine/graph.js';
import { differentiate } from '../engine/autodiff.js';
import { Session, type HostTensor } from '../engine/session.js';
import { crossEntropy, oneHot } from '../models/loss.js';
import type { AttackTarget, Norm } from './types.js';

/** How a step graph steps: budget, step size, norm, input domain, threads. */
export interface StepOptions {
  eps: number;
  alpha: number;
  norm: Norm;
  clipMin: number;
  clipMax: number;
  threads?: number;
  /** Weights fed on every step instead of baked in (adversarial training, where they change). */
  liveWeights?: () => Record<string, HostTensor>;
}

/** A compiled step graph: one call is one full PGD step for a batch. */
export interface StepSession {
  step(
    x: Float32Array,
    x0: Float32Array,
    y: Uint8Array,
    n: number,
  ): Promise<{ next: Float32Array; logits: Float32Array }>;
  close(): Promise<void>;
}

/**
 * One projected-gradient step fused into a single ONNX graph: loss gradient w.r.t. the input, sign (Linf) or
 * L2-normalised direction, step, projection onto the eps-ball around x0, clip to the input domain.
 * Outputs the next x and the logits at the current x (for early stopping and restarts).
 */
export async function stepSession(
  target: AttackTarget & { emit: NonNullable<AttackTarget['emit']> },
  opts: StepOptions,
): Promise<StepSession> {
  const g = new Graph();
  const shape = target.input;
  const x = g.input('x', [-1, ...shape]);
  const x0 = g.input('x0', [-1, ...shape]);
  const y = g.input('y', [-1, target.classes]);
  const logits = target.emit(g, x);
  const loss = crossEntropy(g, logits, y, 'sum');
  const grad = differentiate(g, loss, [x]).get(x) as string;
  const axes = shape.map((_, k) => k + 1);
  const c = (v: number) => g.constant([v], []);
  let next: string;
  if (opts.norm === 'inf') {
    const stepped = g.op1('Add', [x, g.op1('Mul', [g.op1('Sign', [grad]), c(opts.alpha)])]);
    const lo = g.op1('Sub', [x0, c(opts.eps)]);
    const hi = g.op1('Add', [x0, c(opts.eps)]);
    next = g.op1('Min', [g.op1('Max', [stepped, lo]), hi]);
  } else {
    const l2 = (t: string) => g.op1('ReduceL2', [t], { axes: { ints: axes }, keepdims: { i: 1 } });
    const dir = g.op1('Div', [grad, g.op1('Add', [l2(grad), c(1e-12)])]);
    const stepped = g.op1('Add', [x, g.op1('Mul', [dir, c(opts.alpha)])]);
    const delta = g.op1('Sub', [stepped, x0]);
    const factor = g.op1('Min', [c(1), g.op1('Div', [c(opts.eps), g.op1('Add', [l2(delta), c(1e-12)])])]);
    next = g.op1('Add', [x0, g.op1('Mul', [delta, factor])]);
  }
  const clipped = g.op1('Min', [g.op1('Max', [next, c(opts.clipMin)]), c(opts.clipMax)]);
  g.output(clipped);
  g.output(logits);
  const live = opts.liveWeights;
  const s = await Session.create(g.toBytes({ asInputs: live ? Object.keys(live()) : [] }), {
    threads: opts.threads ?? 1,
  });
  return {
    async step(xv, x0v, yv, n) {
      const dims = [n, ...shape];
      const out = await s.run({
        x: { data: xv, dims },
        x0: { data: x0v, dims },
        y: { data: oneHot(yv, target.classes, 0, n), dims: [n, target.classes] },
        ...live?.(),
      });
      return { next: out[clipped]?.data as Float32Array, logits: out[logits]?.data as Float32Array };
    },
    close: () => s.release(),
  };
}
