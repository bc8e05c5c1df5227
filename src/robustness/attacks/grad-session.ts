import { Graph } from '../engine/graph.js';
import { differentiate } from '../engine/autodiff.js';
import { Session, type HostTensor } from '../engine/session.js';
import { robustnessError } from '../errors.js';
import type { AttackTarget } from './types.js';

/** A white-box target: one whose forward pass can be emitted into a graph and differentiated. */
export type WhiteBox = AttackTarget & { emit: NonNullable<AttackTarget['emit']> };

export function requireWhiteBox(target: AttackTarget, attack: string): WhiteBox {
  if (!target.emit)
    throw robustnessError(
      'MODEL_INVALID',
      `${attack} needs a white-box target (an ONNX model or a Warden model)`,
      {
        kind: 'usage',
      },
    );
  return target as WhiteBox;
}

/** Builds the per-example loss [N] from the logits, the input and extra per-example inputs (by name). */
export type LossBuilder = (g: Graph, logits: string, x: string, extra: Record<string, string>) => string;

/** Runs "logits, per-example loss and d(sum of losses)/dx" for a batch in one onnxruntime call. */
export interface GradSession {
  run(
    x: Float32Array,
    n: number,
    extra: Record<string, Float32Array>,
  ): Promise<{ grad: Float32Array; loss: Float32Array; logits: Float32Array }>;
  close(): Promise<void>;
}

/**
 * One ONNX graph for gradient-based attacks: the model's forward pass (weights baked in), a per-example loss,
 * and the input gradient of its sum, so each example's gradient is its own loss's gradient.
 * `extra` declares per-example inputs by their per-example shape (labels one-hot, constants per example).
 */
export async function gradSession(
  target: WhiteBox,
  extra: Record<string, number[]>,
  loss: LossBuilder,
  opts: number | { threads?: number; liveWeights?: () => Record<string, HostTensor> } = 1,
): Promise<GradSession> {
  const { threads = 1, liveWeights } = typeof opts === 'number' ? { threads: opts } : opts;
  const g = new Graph();
  const shape = target.input;
  const x = g.input('x', [-1, ...shape]);
  const names: Record<string, string> = {};
  for (const [k, s] of Object.entries(extra)) names[k] = g.input(k, [-1, ...s]);
  const logits = target.emit(g, x);
  const per = loss(g, logits, x, names);
  const total = g.op1('ReduceSum', [per, g.constantInt([0])], { keepdims: { i: 0 } });
  const grad = differentiate(g, total, [x]).get(x) as string;
  g.output(grad);
  g.output(per);
  g.output(logits);
  const s = await Session.create(g.toBytes({ asInputs: liveWeights ? Object.keys(liveWeights()) : [] }), {
    threads,
  });
  return {
    async run(xv, n, ex) {
      const feeds: Record<string, { data: Float32Array; dims: number[] }> = {
        x: { data: xv, dims: [n, ...shape] },
      };
      for (const [k, v] of Object.entries(ex)) feeds[k] = { data: v, dims: [n, ...(extra[k] ?? [])] };
      const out = await s.run({ ...feeds, ...liveWeights?.() });
      return {
        grad: out[grad]?.data as Float32Array,
        loss: out[per]?.data as Float32Array,
        logits: out[logits]?.data as Float32Array,
      };
    },
    close: () => s.release(),
  };
}

/** Per-example softmax cross-entropy against one-hot labels `y`. */
export const ceLoss: LossBuilder = (g, logits, _x, { y }) =>
  g.op1('Neg', [
    g.op1(
      'ReduceSum',
      [g.op1('Mul', [g.op1('LogSoftmax', [logits], { axis: { i: 1 } }), y as string]), g.constantInt([1])],
      {
        keepdims: { i: 0 },
      },
    ),
  ]);

/** Per-example margin: logit of the true class minus the largest other logit (negative = misclassified). */
export function margin(g: Graph, logits: string, y: string): string {
  const own = g.op1('ReduceSum', [g.op1('Mul', [logits, y]), g.constantInt([1])], { keepdims: { i: 0 } });
  const others = g.op1('ReduceMax', [g.op1('Sub', [logits, g.op1('Mul', [y, g.constant([1e4], [])])])], {
    axes: { ints: [1] },
    keepdims: { i: 0 },
  });
  return g.op1('Sub', [own, others]);
}

/** Margins of a batch of logits computed in TypeScript (score-based attacks). */
export function margins(logits: Float32Array, y: Uint8Array, classes: number, n: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const own = logits[i * classes + (y[i] ?? 0)] as number;
    let other = -Infinity;
    for (let c = 0; c < classes; c++)
      if (c !== y[i]) other = Math.max(other, logits[i * classes + c] as number);
    out[i] = own - other;
  }
  return out;
}

/** Per-example norms (Linf or L2) of a - b over rows of `per` values. */
export function rowNorms(a: Float32Array, b: Float32Array, n: number, norm: 'inf' | '2'): Float64Array {
  const per = a.length / n;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let k = i * per; k < (i + 1) * per; k++) {
      const d = Math.abs((a[k] as number) - (b[k] as number));
      s = norm === 'inf' ? Math.max(s, d) : s + d * d;
    }
    out[i] = norm === 'inf' ? s : Math.sqrt(s);
  }
  return out;
}

/** Projects row i of `x` onto the eps-ball around `x0` and the input domain, in place. */
export function project(
  x: Float32Array,
  x0: Float32Array,
  i: number,
  per: number,
  eps: number,
  norm: 'inf' | '2',
  lo: number,
  hi: number,
): void {
  const a = i * per;
  if (norm === 'inf') {
    for (let k = a; k < a + per; k++) {
      const c = x0[k] as number;
      x[k] = Math.min(hi, Math.max(lo, Math.min(c + eps, Math.max(c - eps, x[k] as number))));
    }
    return;
  }
  let s = 0;
  for (let k = a; k < a + per; k++) s += ((x[k] as number) - (x0[k] as number)) ** 2;
  const f = Math.min(1, eps / (Math.sqrt(s) + 1e-12));
  for (let k = a; k < a + per; k++) {
    const c = x0[k] as number;
    x[k] = Math.min(hi, Math.max(lo, c + ((x[k] as number) - c) * f));
  }
  // clipping can only shrink the perturbation, so the result stays inside the ball
}

/** Standard normal samples from a seeded uniform generator (Box-Muller). */
export function gaussian(rnd: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
}
