import { robustnessError } from '../../errors.js';
import type { Graph } from '../graph.js';
import type { Shape } from '../types.js';

/** Numpy-style broadcast of two static shapes; -1 (run-time) dims broadcast like unknown-but-equal. */
export function broadcast(a: Shape, b: Shape): Shape {
  const r = Math.max(a.length, b.length);
  const out: Shape = [];
  for (let i = 0; i < r; i++) {
    const x = a[a.length - r + i] ?? 1;
    const y = b[b.length - r + i] ?? 1;
    if (x === y || y === 1) out.push(x);
    else if (x === 1) out.push(y);
    else if (x === -1 || y === -1) out.push(-1);
    else throw robustnessError('SHAPE_MISMATCH', `cannot broadcast [${a.join(',')}] with [${b.join(',')}]`);
  }
  return out;
}

export function normAxis(axis: number, rank: number): number {
  return axis < 0 ? axis + rank : axis;
}

export function reduceSum(g: Graph, x: string, axes: number[], keepdims: boolean): string {
  return g.op1('ReduceSum', [x, g.constantInt(axes)], { keepdims: { i: keepdims ? 1 : 0 } });
}

/** Sums a gradient of the broadcast output shape back down to an input's shape. */
export function unbroadcast(g: Graph, grad: string, to: Shape): string {
  const from = g.shape(grad);
  const lead = from.length - to.length;
  const axes: number[] = [];
  for (let i = 0; i < from.length; i++) {
    const t = i < lead ? undefined : to[i - lead];
    if (t === undefined || (t === 1 && from[i] !== 1)) axes.push(i);
  }
  if (axes.length === 0) return grad;
  const summed = reduceSum(g, grad, axes, true);
  return g.op1('Reshape', [summed, g.constantInt(to.map((d) => (d < 0 ? -1 : d)))]);
}

/** A float scalar or tensor of the same value as `like`, in graph form. */
export function scale(g: Graph, x: string, factor: number): string {
  return factor === 1 ? x : g.op1('Mul', [x, g.constant([factor], [])]);
}
