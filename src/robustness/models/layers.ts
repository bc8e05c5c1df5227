import { robustnessError } from '../errors.js';
import type { Graph } from '../engine/graph.js';
import type { Shape } from '../engine/types.js';

/** One layer of a model defined in code; parameters are sized from the incoming shape. */
export type Layer =
  | { kind: 'dense'; units: number }
  | { kind: 'conv'; filters: number; kernel: number; pad?: number; stride?: number }
  | { kind: 'relu' }
  | { kind: 'maxpool'; size: number }
  | { kind: 'avgpool'; size: number }
  | { kind: 'flatten' }
  | { kind: 'batchnorm' }
  | { kind: 'globalavgpool' }
  /** A ResNet basic block: conv3x3-bn-relu-conv3x3-bn plus the shortcut (1x1 conv + bn when the shape changes), relu. */
  | { kind: 'resblock'; filters: number; stride?: number };

/** A weight tensor of a model: name, dims, and its values (owned by the model, updated by training). */
export interface Param {
  name: string;
  dims: number[];
  data: Float32Array;
  /** Fan-in, for initialisation. */
  fanIn: number;
  /** How the model initialises it (default: He-normal for weights, zeros for biases). */
  init?: 'he' | 'zeros' | 'ones';
  /** False for BatchNormalization running statistics: updated from batch statistics, not by the optimizer. */
  trainable?: boolean;
}

/** How a forward pass is emitted: inference, or training (batch statistics, whose running averages it reports). */
export interface EmitOptions {
  training?: boolean;
  /** Filled in training mode: running-statistic parameter name -> graph tensor holding its updated value. */
  stats?: Map<string, string>;
}

const ints = (v: number[]) => ({ ints: v });
const BN_MOMENTUM = 0.9;

function conv(name: string, filters: number, c: number, kernel: number): Param[] {
  const fan = c * kernel * kernel;
  return [
    {
      name: `${name}.weight`,
      dims: [filters, c, kernel, kernel],
      data: new Float32Array(filters * fan),
      fanIn: fan,
    },
    { name: `${name}.bias`, dims: [filters], data: new Float32Array(filters), fanIn: fan },
  ];
}

function bn(name: string, c: number): Param[] {
  const p = (n: string, init: 'zeros' | 'ones', trainable: boolean): Param => ({
    name: `${name}.${n}`,
    dims: [c],
    data: new Float32Array(c).fill(init === 'ones' ? 1 : 0),
    fanIn: c,
    init,
    trainable,
  });
  return [
    p('scale', 'ones', true),
    p('bias', 'zeros', true),
    p('mean', 'zeros', false),
    p('var', 'ones', false),
  ];
}

const out = (size: number, k: number, pad: number, stride: number) =>
  Math.floor((size + 2 * pad - k) / stride) + 1;

/** Creates the parameters a layer stack needs for a given per-example input shape. */
export function layerParams(layers: readonly Layer[], input: Shape): Param[] {
  const params: Param[] = [];
  let s = [...input];
  layers.forEach((l, k) => {
    const [c = 1, h = 0, w = 0] = s;
    if (l.kind === 'dense') {
      const fan = s.reduce((a, b) => a * b, 1);
      if (s.length !== 1)
        throw robustnessError('MODEL_INVALID', `dense layer ${k} needs a flat input; add flatten`);
      params.push(
        { name: `l${k}.weight`, dims: [l.units, fan], data: new Float32Array(l.units * fan), fanIn: fan },
        { name: `l${k}.bias`, dims: [l.units], data: new Float32Array(l.units), fanIn: fan },
      );
      s = [l.units];
    } else if (l.kind === 'conv') {
      const pad = l.pad ?? 0;
      const stride = l.stride ?? 1;
      params.push(...conv(`l${k}`, l.filters, c, l.kernel));
      s = [l.filters, out(h, l.kernel, pad, stride), out(w, l.kernel, pad, stride)];
    } else if (l.kind === 'batchnorm') params.push(...bn(`l${k}`, c));
    else if (l.kind === 'resblock') {
      const st = l.stride ?? 1;
      params.push(...conv(`l${k}.conv1`, l.filters, c, 3), ...bn(`l${k}.bn1`, l.filters));
      params.push(...conv(`l${k}.conv2`, l.filters, l.filters, 3), ...bn(`l${k}.bn2`, l.filters));
      if (st !== 1 || c !== l.filters)
        params.push(...conv(`l${k}.short`, l.filters, c, 1), ...bn(`l${k}.shortbn`, l.filters));
      s = [l.filters, out(h, 3, 1, st), out(w, 3, 1, st)];
    } else if (l.kind === 'maxpool' || l.kind === 'avgpool')
      s = [c, Math.floor(h / l.size), Math.floor(w / l.size)];
    else if (l.kind === 'globalavgpool') s = [c, 1, 1];
    else if (l.kind === 'flatten') s = [s.reduce((a, b) => a * b, 1)];
  });
  return params;
}

function emitConv(g: Graph, h: string, name: string, pad: number, stride: number): string {
  return g.op1('Conv', [h, `${name}.weight`, `${name}.bias`], {
    pads: ints([pad, pad, pad, pad]),
    strides: ints([stride, stride]),
  });
}

function emitBn(g: Graph, h: string, name: string, o: EmitOptions): string {
  const ins = ['scale', 'bias', 'mean', 'var'].map((p) => `${name}.${p}`);
  if (!o.training) return g.op1('BatchNormalization', [h, ...ins]);
  const [y, mean, variance] = g.op(
    'BatchNormalization',
    [h, ...ins],
    {
      training_mode: { i: 1 },
      momentum: { f: BN_MOMENTUM },
    },
    3,
  ) as [string, string, string];
  o.stats?.set(`${name}.mean`, mean);
  o.stats?.set(`${name}.var`, variance);
  return y;
}

/** Emits the forward pass of a layer stack; parameter names must already exist in the graph. */
export function emitLayers(g: Graph, layers: readonly Layer[], x: string, o: EmitOptions = {}): string {
  let h = x;
  let deferredRelu = false;
  layers.forEach((l, k) => {
    // relu then max-pool equals max-pool then relu (max commutes with a monotone map); the second order
    // runs relu and its gradient mask on a tensor four times smaller
    if (l.kind === 'relu' && layers[k + 1]?.kind === 'maxpool') {
      deferredRelu = true;
      return;
    }
    if (l.kind === 'dense') h = g.op1('Gemm', [h, `l${k}.weight`, `l${k}.bias`], { transB: { i: 1 } });
    else if (l.kind === 'conv') h = emitConv(g, h, `l${k}`, l.pad ?? 0, l.stride ?? 1);
    else if (l.kind === 'relu') h = g.op1('Relu', [h]);
    else if (l.kind === 'maxpool') {
      h = g.op1('MaxPool', [h], { kernel_shape: ints([l.size, l.size]), strides: ints([l.size, l.size]) });
      if (deferredRelu) h = g.op1('Relu', [h]);
      deferredRelu = false;
    } else if (l.kind === 'avgpool')
      h = g.op1('AveragePool', [h], {
        kernel_shape: ints([l.size, l.size]),
        strides: ints([l.size, l.size]),
      });
    else if (l.kind === 'batchnorm') h = emitBn(g, h, `l${k}`, o);
    else if (l.kind === 'globalavgpool') h = g.op1('GlobalAveragePool', [h]);
    else if (l.kind === 'resblock') {
      const st = l.stride ?? 1;
      let r = g.op1('Relu', [emitBn(g, emitConv(g, h, `l${k}.conv1`, 1, st), `l${k}.bn1`, o)]);
      r = emitBn(g, emitConv(g, r, `l${k}.conv2`, 1, 1), `l${k}.bn2`, o);
      const short = g.has(`l${k}.short.weight`)
        ? emitBn(g, emitConv(g, h, `l${k}.short`, 0, st), `l${k}.shortbn`, o)
        : h;
      h = g.op1('Relu', [g.op1('Add', [r, short])]);
    } else h = g.op1('Flatten', [h], { axis: { i: 1 } });
  });
  return h;
}
