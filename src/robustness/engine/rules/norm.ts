import { robustnessError } from '../../errors.js';
import type { Graph } from '../graph.js';
import { attrFloat, attrInt } from '../types.js';
import type { OpRule } from '../rule.js';
import { reduceSum } from './util.js';

/** Reshapes a per-channel [C] tensor to [1, C, 1, ...] so it broadcasts over an NC... input of `rank`. */
function perChannel(g: Graph, v: string, rank: number): string {
  const axes = [0, ...Array.from({ length: rank - 2 }, (_, k) => k + 2)];
  return g.op1('Unsqueeze', [v, g.constantInt(axes)]);
}

function otherAxes(rank: number): number[] {
  return [0, ...Array.from({ length: rank - 2 }, (_, k) => k + 2)];
}

function mean(g: Graph, x: string, axes: number[]): string {
  return g.op1('ReduceMean', [x], { axes: { ints: axes }, keepdims: { i: 1 } });
}

/**
 * BatchNormalization in both modes. Inference normalises with the running statistics (inputs 3 and 4),
 * which are then constants of the gradient unless asked for; training mode (training_mode=1) normalises with
 * the batch's own biased mean and variance, so the input gradient carries the two batch-mean terms.
 */
export const NORM_RULES: OpRule[] = [
  {
    op: 'BatchNormalization',
    infer: ([x = [], s = []], attrs) => (attrInt(attrs, 'training_mode', 0) ? [x, s, s] : [x]),
    backward: ({ g, node, gradOut: [gy], inShapes, needs }) => {
      if (!gy) return [];
      const [x, scale, , mu, v] = node.inputs as [string, string, string, string, string];
      const rank = (inShapes[0] ?? []).length;
      if (rank < 2) throw robustnessError('UNSUPPORTED_OP', 'BatchNormalization needs an N, C, ... input');
      const eps = attrFloat(node.attrs, 'epsilon', 1e-5);
      const axes = otherAxes(rank);
      const sc = perChannel(g, scale, rank);
      const c = (k: number) => g.constant([k], []);
      if (attrInt(node.attrs, 'training_mode', 0)) {
        const m = mean(g, x, axes);
        const centered = g.op1('Sub', [x, m]);
        const variance = mean(g, g.op1('Mul', [centered, centered]), axes);
        const inv = g.op1('Reciprocal', [g.op1('Sqrt', [g.op1('Add', [variance, c(eps)])])]);
        const xhat = g.op1('Mul', [centered, inv]);
        const dxhat = g.op1('Mul', [gy, sc]);
        const dx = needs[0]
          ? g.op1('Mul', [
              inv,
              g.op1('Sub', [
                g.op1('Sub', [dxhat, mean(g, dxhat, axes)]),
                g.op1('Mul', [xhat, mean(g, g.op1('Mul', [dxhat, xhat]), axes)]),
              ]),
            ])
          : undefined;
        return [
          dx,
          needs[1] ? reduceSum(g, g.op1('Mul', [gy, xhat]), axes, false) : undefined,
          needs[2] ? reduceSum(g, gy, axes, false) : undefined,
        ];
      }
      const inv = g.op1('Reciprocal', [g.op1('Sqrt', [g.op1('Add', [v, c(eps)])])]);
      const invB = perChannel(g, inv, rank);
      const centered = g.op1('Sub', [x, perChannel(g, mu, rank)]);
      const gs = g.op1('Mul', [gy, sc]);
      return [
        needs[0] ? g.op1('Mul', [gs, invB]) : undefined,
        needs[1] ? reduceSum(g, g.op1('Mul', [gy, g.op1('Mul', [centered, invB])]), axes, false) : undefined,
        needs[2] ? reduceSum(g, gy, axes, false) : undefined,
        needs[3] ? g.op1('Neg', [g.op1('Mul', [reduceSum(g, gs, axes, false), inv])]) : undefined,
        needs[4]
          ? g.op1('Mul', [
              reduceSum(g, g.op1('Mul', [gs, centered]), axes, false),
              g.op1('Mul', [c(-0.5), g.op1('Mul', [inv, g.op1('Mul', [inv, inv])])]),
            ])
          : undefined,
      ];
    },
  },
];
