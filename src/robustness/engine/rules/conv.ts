import { robustnessError } from '../../errors.js';
import type { Graph } from '../graph.js';
import { attrInt, attrInts, type Attrs, type Shape } from '../types.js';
import type { OpRule } from '../rule.js';
import { reduceSum } from './util.js';

export interface Geometry {
  kernel: number[];
  strides: number[];
  pads: number[];
  dilations: number[];
}

export function geometry(attrs: Attrs, kernel: number[]): Geometry {
  const n = kernel.length;
  if (attrs.auto_pad && 's' in attrs.auto_pad && attrs.auto_pad.s !== 'NOTSET')
    throw robustnessError('UNSUPPORTED_OP', 'auto_pad is not supported; give explicit pads');
  return {
    kernel,
    strides: attrInts(attrs, 'strides', Array<number>(n).fill(1)),
    pads: attrInts(attrs, 'pads', Array<number>(2 * n).fill(0)),
    dilations: attrInts(attrs, 'dilations', Array<number>(n).fill(1)),
  };
}

export function spatialOut(input: Shape, geo: Geometry): number[] {
  const n = geo.kernel.length;
  return geo.kernel.map((k, d) => {
    const size = input[2 + d] ?? -1;
    if (size < 0) return -1;
    const eff = (geo.dilations[d] ?? 1) * (k - 1) + 1;
    return Math.floor((size + (geo.pads[d] ?? 0) + (geo.pads[d + n] ?? 0) - eff) / (geo.strides[d] ?? 1)) + 1;
  });
}

export const ai = (v: number[]) => ({ ints: v });

/**
 * Gradient of a 2-D convolution w.r.t. its weights as unfold plus one GEMM: the kh*kw shifted (strided) windows
 * of x^T [C,N,H,W] concatenated give cols [C*kh*kw, N*Ho*Wo], and dW = gy^T [O, N*Ho*Wo] x cols^T. One large,
 * well-shaped GEMM beats the convolution over batch-as-channels (32 skinny GEMMs with an 11x11 "kernel").
 */
function convWeightGrad(g: Graph, x: string, gy: string, w: Shape, geo: Geometry): string {
  if (geo.dilations.some((d) => d !== 1))
    throw robustnessError('UNSUPPORTED_OP', 'Conv weight gradient with dilation');
  const [o = 0, c = 0, kh = 0, kw = 0] = w;
  const [, , ho = -1, wo = -1] = g.shape(gy);
  if (w.length !== 4 || ho < 0 || wo < 0) return batchConvWeightGrad(g, x, gy, w, geo);
  const [sh = 1, sw = 1] = geo.strides;
  const [pt = 0, pl = 0, pb = 0, pr = 0] = geo.pads;
  const padded = pt || pl || pb || pr ? g.op1('Pad', [x, g.constantInt([0, 0, pt, pl, 0, 0, pb, pr])]) : x;
  const xt = g.op1('Transpose', [padded], { perm: ai([1, 0, 2, 3]) });
  const windows: string[] = [];
  for (let i = 0; i < kh; i++)
    for (let j = 0; j < kw; j++)
      windows.push(
        g.op1('Slice', [
          xt,
          g.constantInt([i, j]),
          g.constantInt([i + sh * (ho - 1) + 1, j + sw * (wo - 1) + 1]),
          g.constantInt([2, 3]),
          g.constantInt([sh, sw]),
        ]),
      );
  // Concat along axis 1 orders rows (c, i, j, n): the reshape gives rows (c, i, j) as the weight flattens
  const cols = g.op1('Reshape', [
    g.op1('Concat', windows, { axis: { i: 1 } }),
    g.constantInt([c * kh * kw, -1]),
  ]);
  const gt = g.op1('Reshape', [g.op1('Transpose', [gy], { perm: ai([1, 0, 2, 3]) }), g.constantInt([o, -1])]);
  const dw = g.op1('Gemm', [gt, cols], { transB: { i: 1 } });
  return g.op1('Reshape', [dw, g.constantInt([o, c, kh, kw])]);
}

/** The same gradient as a convolution of x^T [C,N,H,W] by gy^T [O,N,Ho,Wo] dilated by the stride. */
function batchConvWeightGrad(g: Graph, x: string, gy: string, w: Shape, geo: Geometry): string {
  const xt = g.op1('Transpose', [x], { perm: ai([1, 0, 2, 3]) });
  const gt = g.op1('Transpose', [gy], { perm: ai([1, 0, 2, 3]) });
  const full = g.op1('Conv', [xt, gt], {
    pads: ai(geo.pads),
    dilations: ai(geo.strides),
    strides: ai([1, 1]),
  });
  const s = g.shape(full);
  const fit =
    s[2] === w[2] && s[3] === w[3]
      ? full
      : g.op1('Slice', [
          full,
          g.constantInt([0, 0]),
          g.constantInt([w[2] ?? 0, w[3] ?? 0]),
          g.constantInt([2, 3]),
        ]);
  return g.op1('Transpose', [fit], { perm: ai([1, 0, 2, 3]) });
}

/**
 * Whether the input gradient is better run as a Conv with the flipped kernel than as ConvTranspose (measured
 * with onnxruntime 1 thread, benchmark CNN and ResNet): only at stride 1, when the full convolution is no
 * larger than the forward one ("same" padding; a "valid" conv's full conv reads a bigger padded input), and
 * with at least 8 input channels (blocked layouts pad a 1-channel output to 8 or 16 channels, 16x the work).
 * ConvTranspose is one GEMM plus col2im per image, with the forward conv's multiply-adds.
 */
function flippedConvFits(geo: Geometry, inChannels: number): boolean {
  const n = geo.kernel.length;
  return (
    inChannels >= 8 &&
    geo.strides.every((v) => v === 1) &&
    geo.dilations.every((v) => v === 1) &&
    geo.kernel.every(
      (k, d) => k - 1 - (geo.pads[d] ?? 0) <= (geo.pads[d] ?? 0) && geo.pads[d] === geo.pads[d + n],
    )
  );
}

/** W[o, c, i, j] -> W'[c, o, kh-1-i, kw-1-j]: the kernel of the input gradient of a stride-1 convolution. */
function flipKernel(g: Graph, w: string): string {
  const t = g.op1('Transpose', [w], { perm: ai([1, 0, 2, 3]) });
  const big = -(2 ** 62);
  return g.op1('Slice', [
    t,
    g.constantInt([-1, -1]),
    g.constantInt([big, big]),
    g.constantInt([2, 3]),
    g.constantInt([-1, -1]),
  ]);
}

/** Convolution with its gradients (unfold + GEMM for weights, ConvTranspose or a flipped Conv for inputs). */
export const CONV_RULES: OpRule[] = [
  {
    op: 'Conv',
    infer: ([x = [], w = []], attrs) => {
      if (attrInt(attrs, 'group', 1) !== 1)
        throw robustnessError('UNSUPPORTED_OP', 'grouped Conv is not supported');
      return [[x[0] ?? -1, w[0] ?? -1, ...spatialOut(x, geometry(attrs, w.slice(2)))]];
    },
    backward: ({ g, node, gradOut: [gy], inShapes, needs }) => {
      if (!gy) return [];
      const [x, w, b] = node.inputs as [string, string, string | undefined];
      const xs = inShapes[0] ?? [];
      const ws = inShapes[1] ?? [];
      const geo = geometry(node.attrs, ws.slice(2));
      let dx: string | undefined;
      if (needs[0]) {
        const ys = g.shape(gy);
        // output_padding recovers the input rows that the strided forward pass never reached
        const outPad = geo.kernel.map((k, d) => {
          const full =
            (geo.strides[d] ?? 1) * ((ys[2 + d] ?? 1) - 1) + k - (geo.pads[d] ?? 0) - (geo.pads[d + 2] ?? 0);
          return (xs[2 + d] ?? full) - full;
        });
        dx = flippedConvFits(geo, xs[1] ?? 0)
          ? // a full convolution with the flipped, transposed kernel; with baked weights the flip is
            // constant-folded once per session and onnxruntime runs it in its blocked (NCHWc) layout
            g.op1('Conv', [gy, flipKernel(g, w)], {
              pads: ai(geo.pads.map((p, d) => (geo.kernel[d % geo.kernel.length] ?? 1) - 1 - p)),
            })
          : g.op1('ConvTranspose', [gy, w], {
              strides: ai(geo.strides),
              pads: ai(geo.pads),
              output_padding: ai(outPad),
            });
      }
      const dw = needs[1] ? convWeightGrad(g, x, gy, ws, geo) : undefined;
      const db = b && needs[2] ? reduceSum(g, gy, [0, 2, 3], false) : undefined;
      return [dx, dw, db];
    },
  },
  {
    op: 'ConvTranspose',
    infer: ([x = [], w = []], attrs) => {
      const geo = geometry(attrs, w.slice(2));
      const op = attrInts(
        attrs,
        'output_padding',
        geo.kernel.map(() => 0),
      );
      const n = geo.kernel.length;
      const sp = geo.kernel.map((k, d) => {
        const size = x[2 + d] ?? -1;
        return size < 0
          ? -1
          : (geo.strides[d] ?? 1) * (size - 1) +
              (op[d] ?? 0) +
              ((geo.dilations[d] ?? 1) * (k - 1) + 1) -
              (geo.pads[d] ?? 0) -
              (geo.pads[d + n] ?? 0);
      });
      return [[x[0] ?? -1, (w[1] ?? -1) * attrInt(attrs, 'group', 1), ...sp]];
    },
  },
];
