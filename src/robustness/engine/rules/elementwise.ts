import { attrFloat } from '../types.js';
import type { OpRule } from '../rule.js';
import { broadcast, unbroadcast } from './util.js';

const same: OpRule['infer'] = (s) => [s[0] ?? []];
const bcast: OpRule['infer'] = (s) => [broadcast(s[0] ?? [], s[1] ?? [])];

/** Elementwise arithmetic and activations with their gradients. */
export const ELEMENTWISE_RULES: OpRule[] = [
  {
    op: 'Add',
    infer: bcast,
    backward: ({ g, gradOut: [gy], inShapes }) =>
      inShapes.map((s) => (gy ? unbroadcast(g, gy, s) : undefined)),
  },
  {
    op: 'Sub',
    infer: bcast,
    backward: ({ g, gradOut: [gy], inShapes, needs }) => {
      if (!gy) return [];
      return [
        needs[0] ? unbroadcast(g, gy, inShapes[0] ?? []) : undefined,
        needs[1] ? unbroadcast(g, g.op1('Neg', [gy]), inShapes[1] ?? []) : undefined,
      ];
    },
  },
  {
    op: 'Mul',
    infer: bcast,
    backward: ({ g, node, gradOut: [gy], inShapes, needs }) => {
      if (!gy) return [];
      const [a, b] = node.inputs as [string, string];
      return [
        needs[0] ? unbroadcast(g, g.op1('Mul', [gy, b]), inShapes[0] ?? []) : undefined,
        needs[1] ? unbroadcast(g, g.op1('Mul', [gy, a]), inShapes[1] ?? []) : undefined,
      ];
    },
  },
  {
    op: 'Div',
    infer: bcast,
    backward: ({ g, node, gradOut: [gy], inShapes, needs }) => {
      if (!gy) return [];
      const [a, b] = node.inputs as [string, string];
      const ga = g.op1('Div', [gy, b]);
      return [
        needs[0] ? unbroadcast(g, ga, inShapes[0] ?? []) : undefined,
        needs[1]
          ? unbroadcast(g, g.op1('Neg', [g.op1('Mul', [ga, g.op1('Div', [a, b])])]), inShapes[1] ?? [])
          : undefined,
      ];
    },
  },
  { op: 'Neg', infer: same, backward: ({ g, gradOut: [gy] }) => [gy && g.op1('Neg', [gy])] },
  { op: 'Identity', infer: same, backward: ({ gradOut: [gy] }) => [gy] },
  // Dropout is the identity at evaluation time, which is the only mode the engine exports.
  { op: 'Dropout', infer: same, backward: ({ gradOut: [gy] }) => [gy] },
  {
    op: 'Relu',
    infer: same,
    // the mask of relu(x) > 0 on the forward output; onnxruntime's Where is vectorised where its Sign is not
    backward: ({ g, node, gradOut: [gy] }) => [
      gy &&
        g.op1('Where', [
          g.op1('Greater', [node.outputs[0] as string, g.constant([0], [])]),
          gy,
          g.constant([0], []),
        ]),
    ],
  },
  {
    op: 'LeakyRelu',
    infer: same,
    backward: ({ g, node, gradOut: [gy] }) => {
      if (!gy) return [];
      const alpha = attrFloat(node.attrs, 'alpha', 0.01);
      const pos = g.op1('Greater', [node.inputs[0] as string, g.constant([0], [])]);
      return [g.op1('Where', [pos, gy, g.op1('Mul', [gy, g.constant([alpha], [])])])];
    },
  },
  {
    op: 'Sigmoid',
    infer: same,
    backward: ({ g, node, gradOut: [gy] }) => {
      if (!gy) return [];
      const y = node.outputs[0] as string;
      return [g.op1('Mul', [gy, g.op1('Mul', [y, g.op1('Sub', [g.constant([1], []), y])])])];
    },
  },
  {
    op: 'Tanh',
    infer: same,
    backward: ({ g, node, gradOut: [gy] }) => {
      if (!gy) return [];
      const y = node.outputs[0] as string;
      return [g.op1('Mul', [gy, g.op1('Sub', [g.constant([1], []), g.op1('Mul', [y, y])])])];
    },
  },
  {
    op: 'Exp',
    infer: same,
    backward: ({ g, node, gradOut: [gy] }) => [gy && g.op1('Mul', [gy, node.outputs[0] as string])],
  },
  {
    op: 'Sqrt',
    infer: same,
    backward: ({ g, node, gradOut: [gy] }) => [
      gy && g.op1('Div', [gy, g.op1('Mul', [node.outputs[0] as string, g.constant([2], [])])]),
    ],
  },
  {
    op: 'Log',
    infer: same,
    backward: ({ g, node, gradOut: [gy] }) => [gy && g.op1('Div', [gy, node.inputs[0] as string])],
  },
  {
    op: 'Abs',
    infer: same,
    backward: ({ g, node, gradOut: [gy] }) => [
      gy && g.op1('Mul', [gy, g.op1('Sign', [node.inputs[0] as string])]),
    ],
  },
  {
    op: 'Reciprocal',
    infer: same,
    backward: ({ g, node, gradOut: [gy] }) => {
      if (!gy) return [];
      const y = node.outputs[0] as string;
      return [g.op1('Neg', [g.op1('Mul', [gy, g.op1('Mul', [y, y])])])];
    },
  },
  // Plumbing without gradients (attack steps, masks, projections, quantisation).
  ...['Sign', 'Clip', 'Cast', 'Not', 'Round', 'Floor'].map((op): OpRule => ({
    op,
    infer: same,
  })),
  ...['Greater', 'Less', 'Equal', 'Min', 'Max', 'Pow', 'GreaterOrEqual', 'LessOrEqual', 'And', 'Or'].map(
    (op): OpRule => ({ op, infer: bcast }),
  ),
  { op: 'Where', infer: (s) => [broadcast(broadcast(s[0] ?? [], s[1] ?? []), s[2] ?? [])] },
];
