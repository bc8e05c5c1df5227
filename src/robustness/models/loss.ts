import type { Graph } from '../engine/graph.js';

/**
 * Softmax cross-entropy of logits [N, C] against one-hot targets [N, C], as graph nodes.
 * `mean` averages over the batch (training); `sum` keeps per-example gradients unscaled (attacks).
 */
export function crossEntropy(g: Graph, logits: string, onehot: string, reduce: 'mean' | 'sum'): string {
  const logp = g.op1('LogSoftmax', [logits], { axis: { i: 1 } });
  const picked = g.op1('ReduceSum', [g.op1('Mul', [logp, onehot]), g.constantInt([1])], {
    keepdims: { i: 0 },
  });
  const total =
    reduce === 'mean'
      ? g.op1('ReduceMean', [picked], { axes: { ints: [0] }, keepdims: { i: 0 } })
      : g.op1('ReduceSum', [picked, g.constantInt([0])], { keepdims: { i: 0 } });
  return g.op1('Neg', [total]);
}

export function oneHot(
  labels: Uint8Array,
  classes: number,
  start = 0,
  count = labels.length - start,
): Float32Array {
  const out = new Float32Array(count * classes);
  for (let k = 0; k < count; k++) out[k * classes + (labels[start + k] ?? 0)] = 1;
  return out;
}
