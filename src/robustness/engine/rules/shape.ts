import { attrInt, attrInts, numel } from '../types.js';
import type { OpRule } from '../rule.js';
import { normAxis, reduceSum } from './util.js';
import { reshapeLike } from './slicing.js';

function reshapeTarget(src: number[], target: number[]): number[] {
  const known = target.reduce((p, d, k) => (d === -1 ? p : p * (d === 0 ? (src[k] ?? 1) : d)), 1);
  const total = src.includes(-1) ? -1 : numel(src);
  return target.map((d, k) => (d === 0 ? (src[k] ?? 1) : d === -1 ? (total < 0 ? -1 : total / known) : d));
}

function reduced(s: number[], axes: number[], keep: boolean): number[] {
  const set = new Set(axes.map((a) => normAxis(a, s.length)));
  return keep ? s.map((d, k) => (set.has(k) ? 1 : d)) : s.filter((_, k) => !set.has(k));
}

/** Gradient of a reduction: put the reduced axes back and broadcast over the input's run-time shape. */
function expandBack(
  g: Parameters<NonNullable<OpRule['backward']>>[0]['g'],
  gy: string,
  x: string,
  axes: number[],
  keep: boolean,
): string {
  const r = g.shape(x).length;
  const kept = keep ? gy : g.op1('Unsqueeze', [gy, g.constantInt(axes.map((a) => normAxis(a, r)).sort())]);
  const out = g.op1('Expand', [kept, g.op1('Shape', [x])]);
  g.declare(out, g.shape(x));
  return out;
}

/** Shape plumbing and reductions with their gradients. */
export const SHAPE_RULES: OpRule[] = [
  {
    op: 'Reshape',
    infer: ([s = []], _a, g, node) => {
      const t = g.constInts(node.inputs[1] ?? '');
      // a run-time target (the Shape of another tensor) is sized by whoever built it, through g.declare
      if (!t) return [Array<number>(g.shape(node.inputs[1] ?? '')[0] ?? 0).fill(-1)];
      return [reshapeTarget(s, t)];
    },
    backward: ({ g, node, gradOut: [gy] }) => [gy && reshapeLike(g, gy, node.inputs[0] as string)],
  },
  {
    op: 'Flatten',
    infer: ([s = []], attrs) => {
      const axis = normAxis(attrInt(attrs, 'axis', 1), s.length);
      const head = s.slice(0, axis);
      const tail = s.slice(axis);
      return [[head.includes(-1) ? -1 : numel(head), tail.includes(-1) ? -1 : numel(tail)]];
    },
    backward: ({ g, node, gradOut: [gy] }) => [gy && reshapeLike(g, gy, node.inputs[0] as string)],
  },
  {
    op: 'ReduceSum',
    infer: ([s = []], attrs, g, node) => {
      const axes = g.constInts(node.inputs[1] ?? '') ?? [...s.keys()];
      return [reduced(s, axes, attrInt(attrs, 'keepdims', 1) === 1)];
    },
    backward: ({ g, node, gradOut: [gy], inShapes }) => {
      if (!gy) return [];
      const x = node.inputs[0] as string;
      const axes = g.constInts(node.inputs[1] ?? '') ?? [...(inShapes[0] ?? []).keys()];
      return [expandBack(g, gy, x, axes, attrInt(node.attrs, 'keepdims', 1) === 1)];
    },
  },
  {
    op: 'ReduceMean',
    infer: ([s = []], attrs) => [
      reduced(s, attrInts(attrs, 'axes', [...s.keys()]), attrInt(attrs, 'keepdims', 1) === 1),
    ],
    backward: ({ g, node, gradOut: [gy], inShapes }) => {
      if (!gy) return [];
      const x = node.inputs[0] as string;
      const s = inShapes[0] ?? [];
      const axes = attrInts(node.attrs, 'axes', [...s.keys()]).map((a) => normAxis(a, s.length));
      const expanded = expandBack(g, gy, x, axes, attrInt(node.attrs, 'keepdims', 1) === 1);
      // The count may involve the run-time batch, so it is computed in the graph.
      const dims = g.op1('Gather', [g.op1('Shape', [x]), g.constantInt(axes)], { axis: { i: 0 } });
      const count = g.op1('Cast', [g.op1('ReduceProd', [dims], { keepdims: { i: 0 } })], { to: { i: 1 } });
      return [g.op1('Div', [expanded, count])];
    },
  },
  {
    op: 'ReduceMax',
    infer: ([s = []], attrs) => [
      reduced(s, attrInts(attrs, 'axes', [...s.keys()]), attrInt(attrs, 'keepdims', 1) === 1),
    ],
    // The gradient goes to the maximal elements, shared equally between ties.
    backward: ({ g, node, gradOut: [gy], inShapes }) => {
      if (!gy) return [];
      const x = node.inputs[0] as string;
      const s = inShapes[0] ?? [];
      const axes = attrInts(node.attrs, 'axes', [...s.keys()]).map((a) => normAxis(a, s.length));
      const keep = attrInt(node.attrs, 'keepdims', 1) === 1;
      const y = expandBack(g, node.outputs[0] as string, x, axes, keep);
      const mask = g.op1('Cast', [g.op1('Equal', [x, y])], { to: { i: 1 } });
      g.declare(mask, s, 'float');
      const share = g.op1('Div', [mask, reduceSum(g, mask, axes, true)]);
      return [g.op1('Mul', [share, expandBack(g, gy, x, axes, keep)])];
    },
  },
  {
    op: 'ReduceProd',
    infer: ([s = []], attrs) => [
      reduced(s, attrInts(attrs, 'axes', [...s.keys()]), attrInt(attrs, 'keepdims', 1) === 1),
    ],
  },
  {
    op: 'ReduceL2',
    infer: ([s = []], attrs) => [
      reduced(s, attrInts(attrs, 'axes', [...s.keys()]), attrInt(attrs, 'keepdims', 1) === 1),
    ],
  },
  { op: 'Shape', infer: ([s = []]) => [[s.length]] },
  {
    op: 'Gather',
    infer: ([d = [], ix = []], attrs) => {
      const a = normAxis(attrInt(attrs, 'axis', 0), d.length);
      return [[...d.slice(0, a), ...ix, ...d.slice(a + 1)]];
    },
  },
  { op: 'Expand', infer: ([s = []], _a, g, node) => [g.constInts(node.inputs[1] ?? '') ?? s] },
  {
    op: 'Unsqueeze',
    infer: ([s = []], _a, g, node) => {
      const axes = (g.constInts(node.inputs[1] ?? '') ?? []).map((a) => normAxis(a, s.length + 1)).sort();
      const out = [...s];
      for (const a of axes) out.splice(a, 0, 1);
      return [out];
    },
    backward: ({ g, node, gradOut: [gy] }) => [gy && reshapeLike(g, gy, node.inputs[0] as string)],
  },
  {
    op: 'ArgMax',
    infer: ([s = []], attrs) => [
      reduced(s, [attrInt(attrs, 'axis', 0)], attrInt(attrs, 'keepdims', 1) === 1),
    ],
  },
  {
    op: 'LogSoftmax',
    infer: ([s = []]) => [s],
    backward: ({ g, node, gradOut: [gy] }) => {
      if (!gy) return [];
      const axis = attrInt(node.attrs, 'axis', -1);
      const p = g.op1('Exp', [node.outputs[0] as string]);
      return [g.op1('Sub', [gy, g.op1('Mul', [p, reduceSum(g, gy, [axis], true)])])];
    },
  },
  {
    op: 'Softmax',
    infer: ([s = []]) => [s],
    backward: ({ g, node, gradOut: [gy] }) => {
      if (!gy) return [];
      const y = node.outputs[0] as string;
      const axis = attrInt(node.attrs, 'axis', -1);
      return [g.op1('Mul', [y, g.op1('Sub', [gy, reduceSum(g, g.op1('Mul', [gy, y]), [axis], true)])])];
    },
  },
];
