import { robustnessError } from '../errors.js';
import type { Graph } from '../engine/graph.js';
import type { Shape } from '../engine/types.js';

/** One layer of a model defined in code; parameters are sized from the incoming shape. */
export type Layer =
  | { kind: 'dense'; units: number }
  | { kind: 'conv'; filters: number; kernel: number; pad?: number; stride?: number }
  | { kind: 'relu' }
  | { kind: 'maxpool'; size: number }
  | { kind: 'flatten' };

/** A weight tensor of a model: name, dims, and its values (owned by the model, updated by training). */
export interface Param {
  name: string;
  dims: number[];
  data: Float32Array;
  /** Fan-in, for initialisation. */
  fanIn: number;
}

const ints = (v: number[]) => ({ ints: v });

/** Creates the parameters a layer stack needs for a given per-example input shape. */
export function layerParams(layers: readonly Layer[], input: Shape): Param[] {
  const params: Param[] = [];
  let s = [...input];
  layers.forEach((l, k) => {
    if (l.kind === 'dense') {
      const fan = s.reduce((a, b) => a * b, 1);
      if (s.length !== 1)
        throw robustnessError('MODEL_INVALID', `dense layer ${k} needs a flat input; add flatten`);
      params.push({
        name: `l${k}.weight`,
        dims: [l.units, fan],
        data: new Float32Array(l.units * fan),
        fanIn: fan,
      });
      params.push({ name: `l${k}.bias`, dims: [l.units], data: new Float32Array(l.units), fanIn: fan });
      s = [l.units];
    } else if (l.kind === 'conv') {
      const [c = 1, h = 0, w = 0] = s;
      const fan = c * l.kernel * l.kernel;
      const pad = l.pad ?? 0;
      const stride = l.stride ?? 1;
      params.push({
        name: `l${k}.weight`,
        dims: [l.filters, c, l.kernel, l.kernel],
        data: new Float32Array(l.filters * fan),
        fanIn: fan,
      });
      params.push({ name: `l${k}.bias`, dims: [l.filters], data: new Float32Array(l.filters), fanIn: fan });
      s = [
        l.filters,
        Math.floor((h + 2 * pad - l.kernel) / stride) + 1,
        Math.floor((w + 2 * pad - l.kernel) / stride) + 1,
      ];
    } else if (l.kind === 'maxpool') {
      const [c = 1, h = 0, w = 0] = s;
      s = [c, Math.floor(h / l.size), Math.floor(w / l.size)];
    } else if (l.kind === 'flatten') s = [s.reduce((a, b) => a * b, 1)];
  });
  return params;
}

/** Emits the forward pass of a layer stack; parameter names must already exist in the graph. */
export function emitLayers(g: Graph, layers: readonly Layer[], x: string): string {
  let h = x;
  layers.forEach((l, k) => {
    if (l.kind === 'dense') h = g.op1('Gemm', [h, `l${k}.weight`, `l${k}.bias`], { transB: { i: 1 } });
    else if (l.kind === 'conv') {
      const p = l.pad ?? 0;
      const st = l.stride ?? 1;
      h = g.op1('Conv', [h, `l${k}.weight`, `l${k}.bias`], {
        pads: ints([p, p, p, p]),
        strides: ints([st, st]),
      });
    } else if (l.kind === 'relu') h = g.op1('Relu', [h]);
    else if (l.kind === 'maxpool')
      h = g.op1('MaxPool', [h], { kernel_shape: ints([l.size, l.size]), strides: ints([l.size, l.size]) });
    else h = g.op1('Flatten', [h], { axis: { i: 1 } });
  });
  return h;
}
