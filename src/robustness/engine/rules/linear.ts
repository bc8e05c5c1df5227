import { robustnessError } from '../../errors.js';
import { attrFloat, attrInt, attrInts } from '../types.js';
import type { OpRule } from '../rule.js';
import { broadcast, scale, unbroadcast } from './util.js';

const i = (n: number) => ({ i: n });

/** Gemm, MatMul and Transpose with their gradients (transposed products, inverse permutations). */
export const LINEAR_RULES: OpRule[] = [
  {
    op: 'Gemm',
    infer: ([a = [], b = []], attrs) => {
      const m = attrInt(attrs, 'transA', 0) ? a[1] : a[0];
      const n = attrInt(attrs, 'transB', 0) ? b[0] : b[1];
      return [[m ?? -1, n ?? -1]];
    },
    backward: ({ g, node, gradOut: [gy], inShapes, needs }) => {
      if (!gy) return [];
      const [A, B, C] = node.inputs as [string, string, string | undefined];
      const tA = attrInt(node.attrs, 'transA', 0);
      const tB = attrInt(node.attrs, 'transB', 0);
      const alpha = attrFloat(node.attrs, 'alpha', 1);
      const beta = attrFloat(node.attrs, 'beta', 1);
      const al = { alpha: { f: alpha } };
      // With a = op(A), b = op(B): da = gy b^T and db = a^T gy, transposed back when A or B were.
      const dA = !needs[0]
        ? undefined
        : tA
          ? g.op1('Gemm', [B, gy], { transA: i(tB), transB: i(1), ...al })
          : g.op1('Gemm', [gy, B], { transB: i(tB ? 0 : 1), ...al });
      const dB = !needs[1]
        ? undefined
        : tB
          ? g.op1('Gemm', [gy, A], { transA: i(1), transB: i(tA), ...al })
          : g.op1('Gemm', [A, gy], { transA: i(tA ? 0 : 1), ...al });
      const dC = C && needs[2] ? unbroadcast(g, scale(g, gy, beta), inShapes[2] ?? []) : undefined;
      return [dA, dB, dC];
    },
  },
  {
    op: 'MatMul',
    infer: ([a = [], b = []]) => {
      if (a.length < 2 || b.length < 2)
        throw robustnessError('UNSUPPORTED_OP', 'MatMul with 1-D operands is not supported by the engine');
      const batch = broadcast(a.slice(0, -2), b.slice(0, -2));
      return [[...batch, a[a.length - 2] ?? -1, b[b.length - 1] ?? -1]];
    },
    backward: ({ g, node, gradOut: [gy], inShapes, needs }) => {
      if (!gy) return [];
      const [A, B] = node.inputs as [string, string];
      const t = (x: string): string => {
        const r = g.shape(x).length;
        const perm = [...Array(r).keys()];
        [perm[r - 1], perm[r - 2]] = [r - 2, r - 1];
        return g.op1('Transpose', [x], { perm: { ints: perm } });
      };
      return [
        needs[0] ? unbroadcast(g, g.op1('MatMul', [gy, t(B)]), inShapes[0] ?? []) : undefined,
        needs[1] ? unbroadcast(g, g.op1('MatMul', [t(A), gy]), inShapes[1] ?? []) : undefined,
      ];
    },
  },
  {
    op: 'Transpose',
    infer: ([s = []], attrs) => {
      const perm = attrInts(attrs, 'perm', [...s.keys()].reverse());
      return [perm.map((p) => s[p] ?? -1)];
    },
    backward: ({ g, node, gradOut: [gy], inShapes }) => {
      if (!gy) return [];
      const perm = attrInts(node.attrs, 'perm', [...(inShapes[0] ?? []).keys()].reverse());
      const inv = perm.map((_, k) => perm.indexOf(k));
      return [g.op1('Transpose', [gy], { perm: { ints: inv } })];
    },
  },
];
