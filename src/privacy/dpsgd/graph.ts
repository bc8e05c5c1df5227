import { Graph, crossEntropy, differentiate, type Attrs, type Model } from '../../robustness/index.js';
import { privacyError } from '../errors.js';

/** A dense or conv layer as DP-SGD sees it: its input activation, pre-activation output and weights. */
interface Tap {
  kind: 'dense' | 'conv';
  a: string;
  z: string;
  weight: string;
  bias?: string;
  /** conv only: [F, C, K, K], stride and output spatial size. */
  wDims: number[];
  stride: number;
  out: [number, number];
}

/** How the clipped-sum gradient of one weight is read from the graph outputs. */
export type GradPiece =
  | { param: string; kind: 'whole'; output: string }
  /** Conv weight [F, C, K, K]: one output [C, F] per kernel offset (kh, kw), row-major in kh then kw. */
  | { param: string; kind: 'offsets'; outputs: string[]; dims: [number, number, number, number] };

/** The DP-SGD step graph: per-example norms, clipping factors and clipped gradient sums in one run. */
export interface DpStepGraph {
  bytes: Uint8Array;
  /** Sum of the per-example losses of the batch. */
  lossSum: string;
  /** Number of examples whose gradient norm exceeded the clipping bound. */
  clipped: string;
  pieces: GradPiece[];
}

const ints = (v: number[]) => ({ ints: v });
const attrI = (attrs: Attrs, k: string, d: number): number => {
  const a = attrs[k];
  return a && 'i' in a ? a.i : d;
};
const attrIs = (attrs: Attrs, k: string): number[] | undefined => {
  const a = attrs[k];
  return a && 'ints' in a ? a.ints : undefined;
};

/** Finds the layer each weight belongs to by the graph's structure; anything DP-SGD cannot clip is refused. */
function findTaps(g: Graph, model: Model): Tap[] {
  const names = new Set(model.params.map((p) => p.name));
  const seen = new Set<string>();
  const taps: Tap[] = [];
  for (const n of g.nodes) {
    const used = n.inputs.filter((i) => names.has(i));
    if (used.length === 0) continue;
    const [a = '', weight = '', bias] = n.inputs;
    const z = n.outputs[0] as string;
    const okParams = !names.has(a) && names.has(weight) && (bias === undefined || names.has(bias));
    if (
      n.op === 'Gemm' &&
      okParams &&
      attrI(n.attrs, 'transA', 0) === 0 &&
      attrI(n.attrs, 'transB', 0) === 1 &&
      !('alpha' in n.attrs) &&
      !('beta' in n.attrs)
    ) {
      taps.push({
        kind: 'dense',
        a,
        z,
        weight,
        ...(bias ? { bias } : {}),
        wDims: [],
        stride: 1,
        out: [0, 0],
      });
    } else if (
      n.op === 'Conv' &&
      okParams &&
      attrI(n.attrs, 'group', 1) === 1 &&
      (attrIs(n.attrs, 'pads') ?? [0]).every((p) => p === 0) &&
      (attrIs(n.attrs, 'dilations') ?? [1]).every((d) => d === 1)
    ) {
      const strides = attrIs(n.attrs, 'strides') ?? [1, 1];
      const zs = g.shape(z);
      if (strides[0] !== strides[1])
        throw privacyError('PRIVACY_DP_UNSUPPORTED', `DP-SGD needs equal conv strides (${n.name})`);
      taps.push({
        kind: 'conv',
        a,
        z,
        weight,
        ...(bias ? { bias } : {}),
        wDims: g.shape(weight),
        stride: strides[0] ?? 1,
        out: [zs[2] ?? 0, zs[3] ?? 0],
      });
    } else
      throw privacyError(
        'PRIVACY_DP_UNSUPPORTED',
        `DP-SGD cannot compute per-example gradients of ${n.op} node ${n.name} (weights ${used.join(', ')}): ` +
          'supported are dense layers and unpadded, undilated, ungrouped convolutions',
      );
    for (const p of used) {
      if (seen.has(p))
        throw privacyError(
          'PRIVACY_DP_UNSUPPORTED',
          `weight ${p} is shared between layers; DP-SGD cannot clip it`,
        );
      seen.add(p);
    }
  }
  const missing = [...names].filter((p) => !seen.has(p));
  if (missing.length)
    throw privacyError('PRIVACY_DP_UNSUPPORTED', `weights outside dense/conv layers: ${missing.join(', ')}`);
  return taps;
}

const sumSq = (g: Graph, t: string, axes: number[]): string =>
  g.op1('ReduceSum', [g.op1('Mul', [t, t]), g.constantInt(axes)], { keepdims: { i: 0 } });

/**
 * Builds the DP-SGD step of `model`: the summed cross-entropy, the gradients of the layer outputs (dz),
 * each example's full gradient norm from them without materialising per-example weight gradients of
 * dense layers (||dW_i||^2 = ||dz_i||^2 ||a_i||^2), per-example conv weight gradients by kernel offset
 * (strided slices of the input times dz, so no unfold copy), and the sums of the clipped gradients.
 */
export function dpStepGraph(model: Model, maxGradNorm: number): DpStepGraph {
  const g = new Graph();
  const x = g.input('x', [-1, ...model.input]);
  const y = g.input('y', [-1, model.classes]);
  const logits = model.emit(g, x);
  const taps = findTaps(g, model);
  const lossSum = g.output(crossEntropy(g, logits, y, 'sum'));
  const dz = differentiate(
    g,
    lossSum,
    taps.map((t) => t.z),
  );

  const norms: string[] = [];
  const convParts = new Map<Tap, { gts: string[]; bsum: string }>();
  for (const t of taps) {
    const d = dz.get(t.z) as string;
    if (t.kind === 'dense') {
      const d2 = sumSq(g, d, [1]);
      const a2 = sumSq(g, t.a, [1]);
      norms.push(g.op1('Mul', [d2, t.bias ? g.op1('Add', [a2, g.constant([1], [])]) : a2]));
      continue;
    }
    const [F = 0, C = 0, K = 0] = t.wDims;
    const [ho, wo] = t.out;
    const L = ho * wo;
    const dzr = g.op1('Reshape', [d, g.constantInt([0, F, L])]);
    const dzT = g.op1('Transpose', [dzr], { perm: ints([0, 2, 1]) });
    const gts: string[] = [];
    for (let kh = 0; kh < K; kh++)
      for (let kw = 0; kw < K; kw++) {
        const s = t.stride;
        const sl = g.op1('Slice', [
          t.a,
          g.constantInt([kh, kw]),
          g.constantInt([kh + (ho - 1) * s + 1, kw + (wo - 1) * s + 1]),
          g.constantInt([2, 3]),
          g.constantInt([s, s]),
        ]);
        g.declare(sl, [-1, C, ho, wo]);
        const gt = g.op1('MatMul', [g.op1('Reshape', [sl, g.constantInt([0, C, L])]), dzT]);
        gts.push(gt);
        norms.push(sumSq(g, gt, [1, 2]));
      }
    const bsum = g.op1('ReduceSum', [dzr, g.constantInt([2])], { keepdims: { i: 0 } });
    if (t.bias) norms.push(sumSq(g, bsum, [1]));
    convParts.set(t, { gts, bsum });
  }

  const total = norms.reduce((acc, n) => g.op1('Add', [acc, n]));
  const norm = g.op1('Sqrt', [total]);
  const bound = g.constant([maxGradNorm], []);
  // Opacus's factor: min(1, C / (norm + 1e-6)).
  const factor = g.op1('Min', [
    g.op1('Div', [bound, g.op1('Add', [norm, g.constant([1e-6], [])])]),
    g.constant([1], []),
  ]);
  const clipped = g.output(
    g.op1('ReduceSum', [g.op1('Cast', [g.op1('Greater', [norm, bound])], { to: { i: 1 } })], {
      keepdims: { i: 0 },
    }),
  );
  const row = g.op1('Unsqueeze', [factor, g.constantInt([0])]);
  const col = g.op1('Unsqueeze', [factor, g.constantInt([1])]);

  const pieces: GradPiece[] = [];
  for (const t of taps) {
    const d = dz.get(t.z) as string;
    if (t.kind === 'dense') {
      const scaled = g.op1('Mul', [d, col]);
      pieces.push({
        param: t.weight,
        kind: 'whole',
        output: g.output(g.op1('Gemm', [scaled, t.a], { transA: { i: 1 } })),
      });
      if (t.bias) pieces.push({ param: t.bias, kind: 'whole', output: g.output(g.op1('MatMul', [row, d])) });
      continue;
    }
    const [F = 0, C = 0, K = 0] = t.wDims;
    const parts = convParts.get(t) as { gts: string[]; bsum: string };
    pieces.push({
      param: t.weight,
      kind: 'offsets',
      dims: [F, C, K, K],
      outputs: parts.gts.map((gt) =>
        g.output(g.op1('MatMul', [row, g.op1('Reshape', [gt, g.constantInt([0, C * F])])])),
      ),
    });
    if (t.bias)
      pieces.push({ param: t.bias, kind: 'whole', output: g.output(g.op1('MatMul', [row, parts.bsum])) });
  }
  const bytes = g.toBytes({ asInputs: model.params.map((p) => p.name) });
  return { bytes, lossSum, clipped, pieces };
}

/**
 * The clipped-sum gradient of each weight from the step's outputs: whole outputs are used in place (no
 * copy), conv weights are assembled from their kernel offsets into `scratch`.
 */
export function assembleGradients(
  pieces: readonly GradPiece[],
  out: Record<string, { data: Float32Array | BigInt64Array }>,
  scratch: Map<string, Float32Array>,
): Map<string, Float32Array> {
  const grads = new Map<string, Float32Array>();
  for (const p of pieces) {
    if (p.kind === 'whole') {
      grads.set(p.param, out[p.output]?.data as Float32Array);
      continue;
    }
    const dst = scratch.get(p.param) as Float32Array;
    const [F, C, K] = p.dims;
    p.outputs.forEach((name, off) => {
      const src = out[name]?.data as Float32Array;
      const kh = Math.floor(off / K);
      const kw = off % K;
      for (let c = 0; c < C; c++)
        for (let f = 0; f < F; f++) dst[((f * C + c) * K + kh) * K + kw] = src[c * F + f] as number;
    });
    grads.set(p.param, dst);
  }
  return grads;
}
