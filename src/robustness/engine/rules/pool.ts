import { robustnessError } from '../../errors.js';
import type { Graph } from '../graph.js';
import { attrInt, attrInts, type Shape } from '../types.js';
import type { OpRule } from '../rule.js';
import { ai, geometry, spatialOut } from './conv.js';

/**
 * Max-pool gradient for non-overlapping k x k windows without MaxPool's Indices output. That output runs
 * onnxruntime's scalar, branchy pooling kernel (slower still on adversarial inputs) and keeps the conv output
 * out of the blocked NCHWc layout; here the forward pass keeps the fast one-output MaxPool, and the indices
 * are rebuilt from k*k - 1 strided slices of the input compared with the pooled maximum: each window's first
 * position (row-major) that holds the maximum, as MaxPool reports it, so ties resolve exactly as before.
 */
function windowUnpool(g: Graph, x: string, pooled: string, gy: string, xs: Shape, k: number): string {
  const [, c = 0, h = 0, w = 0] = xs;
  const ho = Math.floor(h / k);
  const wo = Math.floor(w / k);
  // flat index of each window's first element in example 0; example n adds n*C*H*W
  const corner = new Array<number>(c * ho * wo);
  for (let ch = 0; ch < c; ch++)
    for (let i = 0; i < ho; i++)
      for (let j = 0; j < wo; j++) corner[(ch * ho + i) * wo + j] = (ch * h + i * k) * w + j * k;
  const n = g.op1('Gather', [g.op1('Shape', [gy]), g.constantInt([0], [])], { axis: { i: 0 } });
  const rows = g.op1('Mul', [
    g.op1('Range', [g.constantInt([0], []), n, g.constantInt([1], [])]),
    g.constantInt([c * h * w], []),
  ]);
  const base = g.op1('Add', [
    g.op1('Reshape', [rows, g.constantInt([-1, 1, 1, 1])]),
    g.constantInt(corner, [1, c, ho, wo]),
  ]);
  // offset inside the window: the last position unless an earlier one holds the maximum
  let off: string | undefined;
  for (let j = k * k - 1; j >= 0; j--) {
    const o = g.constantInt([Math.floor(j / k) * w + (j % k)], []);
    if (off === undefined) {
      off = o;
      continue;
    }
    const b = g.op1('Slice', [
      x,
      g.constantInt([Math.floor(j / k), j % k]),
      g.constantInt([ho * k, wo * k]),
      g.constantInt([2, 3]),
      g.constantInt([k, k]),
    ]);
    off = g.op1('Where', [g.op1('Equal', [b, pooled]), o, off]);
  }
  const idx = g.op1('Add', [base, off as string]);
  const dx = g.op1('MaxUnpool', [gy, idx, g.op1('Shape', [x])], {
    kernel_shape: ai([k, k]),
    strides: ai([k, k]),
  });
  g.declare(dx, xs);
  return dx;
}

/** Pooling with its gradients (max-pool by comparison or MaxPool indices + MaxUnpool, average pools). */
export const POOL_RULES: OpRule[] = [
  {
    op: 'MaxPool',
    infer: ([x = []], attrs) => {
      const s = [
        x[0] ?? -1,
        x[1] ?? -1,
        ...spatialOut(x, geometry(attrs, attrInts(attrs, 'kernel_shape', []))),
      ];
      return [s, s];
    },
    backward: ({ g, node, gradOut: [gy], inShapes }) => {
      if (!gy) return [];
      const geo = geometry(node.attrs, attrInts(node.attrs, 'kernel_shape', []));
      if (geo.kernel.some((k, d) => k > (geo.strides[d] ?? 1)))
        throw robustnessError(
          'UNSUPPORTED_OP',
          'MaxPool gradient needs non-overlapping windows (kernel <= stride)',
        );
      const xs0 = inShapes[0] ?? [];
      const k0 = geo.kernel[0] ?? 1;
      if (
        xs0.length === 4 &&
        geo.kernel.every((k, d) => k === k0 && geo.strides[d] === k) &&
        geo.pads.every((p) => p === 0) &&
        !node.outputs[1] &&
        xs0.slice(1).every((d) => d > 0)
      )
        return [windowUnpool(g, node.inputs[0] as string, node.outputs[0] as string, gy, xs0, k0)];
      // Other windows: differentiation adds the Indices output to the forward MaxPool.
      let indices = node.outputs[1];
      if (!indices) {
        indices = `${node.name}_indices`;
        node.outputs.push(indices);
        g.declare(indices, g.shape(node.outputs[0] as string), 'int64');
      }
      const x = node.inputs[0] as string;
      const dx = g.op1('MaxUnpool', [gy, indices, g.op1('Shape', [x])], {
        kernel_shape: ai(geo.kernel),
        strides: ai(geo.strides),
        pads: ai(geo.pads),
      });
      g.declare(dx, inShapes[0] ?? []);
      return [dx];
    },
  },
  { op: 'MaxUnpool', infer: ([x = []]) => [x] },
  { op: 'Range', infer: () => [[-1]] },
  {
    op: 'GlobalAveragePool',
    infer: ([x = []]) => [[x[0] ?? -1, x[1] ?? -1, ...x.slice(2).map(() => 1)]],
    backward: ({ g, node, gradOut: [gy], inShapes }) => {
      if (!gy) return [];
      const s = inShapes[0] ?? [];
      const area = s.slice(2).reduce((a, b) => a * b, 1);
      if (area <= 0)
        throw robustnessError('UNSUPPORTED_OP', 'GlobalAveragePool gradient needs static spatial sizes');
      const x = node.inputs[0] as string;
      const dx = g.op1('Expand', [g.op1('Mul', [gy, g.constant([1 / area], [])]), g.op1('Shape', [x])]);
      g.declare(dx, s);
      return [dx];
    },
  },
  {
    op: 'AveragePool',
    infer: ([x = []], attrs) => {
      if (attrInt(attrs, 'ceil_mode', 0))
        throw robustnessError('UNSUPPORTED_OP', 'AveragePool with ceil_mode');
      return [
        [x[0] ?? -1, x[1] ?? -1, ...spatialOut(x, geometry(attrs, attrInts(attrs, 'kernel_shape', [])))],
      ];
    },
    backward: ({ g, node, gradOut: [gy], inShapes }) => {
      if (!gy) return [];
      const xs = inShapes[0] ?? [];
      const geo = geometry(node.attrs, attrInts(node.attrs, 'kernel_shape', []));
      if (geo.pads.some((p) => p !== 0) && !attrInt(node.attrs, 'count_include_pad', 0))
        throw robustnessError(
          'UNSUPPORTED_OP',
          'AveragePool gradient with padding needs count_include_pad=1 (the divisor then is constant)',
        );
      const c = xs[1] ?? -1;
      if (c < 0) throw robustnessError('UNSUPPORTED_OP', 'AveragePool gradient needs a static channel count');
      const area = geo.kernel.reduce((a, b) => a * b, 1);
      // Spreading each output gradient evenly over its window is a depthwise transposed convolution by 1/area.
      const w = g.constant(new Float32Array(c * area).fill(1 / area), [c, 1, ...geo.kernel]);
      const ys = g.shape(gy);
      const outPad = geo.kernel.map((k, d) => {
        const n = geo.kernel.length;
        const full =
          (geo.strides[d] ?? 1) * ((ys[2 + d] ?? 1) - 1) + k - (geo.pads[d] ?? 0) - (geo.pads[d + n] ?? 0);
        return (xs[2 + d] ?? full) - full;
      });
      const dx = g.op1('ConvTranspose', [gy, w], {
        strides: ai(geo.strides),
        pads: ai(geo.pads),
        output_padding: ai(outPad),
        group: { i: c },
      });
      return [dx];
    },
  },
];
