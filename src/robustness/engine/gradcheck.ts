import { seededRandom } from '../../core/index.js';
import { differentiate } from './autodiff.js';
import { Graph } from './graph.js';
import { Session } from './session.js';
import { numel, type Shape } from './types.js';

/** One differentiable input of a gradient check: a graph input or a weight. */
export interface CheckInput {
  name: string;
  shape: Shape;
  /** Feed it as an initializer baked into the graph (weights) instead of a graph input. */
  param?: boolean;
}

export interface GradCheckResult {
  /** Largest |analytic - numeric| / max(1, |numeric|) over the sampled coordinates. */
  maxError: number;
  checked: number;
}

/**
 * Compares the engine's gradients with central finite differences run through onnxruntime.
 * The scalar loss is sum(y * R) for a fixed random R, so every output element matters.
 */
export async function gradCheck(
  build: (g: Graph, inputs: string[]) => string,
  inputs: CheckInput[],
  opts: { seed?: number; samples?: number; eps?: number } = {},
): Promise<GradCheckResult> {
  const rnd = seededRandom(opts.seed ?? 1);
  const values = inputs.map((i) => Float32Array.from({ length: numel(i.shape) }, () => rnd() * 2 - 1));
  const make = (withGrad: boolean): { bytes: Uint8Array; grads: string[] } => {
    const g = new Graph();
    const names = inputs.map((inp, k) =>
      inp.param ? g.param(inp.name, inp.shape, values[k] as Float32Array) : g.input(inp.name, inp.shape),
    );
    const y = build(g, names);
    const r = g.constant(
      Float32Array.from({ length: numel(g.shape(y)) }, (_, k) => Math.sin(k * 12.9898 + 1) * 0.5 + 0.7),
      g.shape(y),
    );
    const loss = g.op1('ReduceSum', [g.op1('Mul', [y, r]), g.constantInt([...g.shape(y).keys()])], {
      keepdims: { i: 0 },
    });
    g.output(loss);
    const grads = withGrad ? names.map((n) => g.output(differentiate(g, loss, names).get(n) as string)) : [];
    return { bytes: g.toBytes({ asInputs: names.filter((_, k) => inputs[k]?.param) }), grads };
  };
  const full = make(true);
  const fwd = make(false);
  const s = await Session.create(full.bytes);
  const f = await Session.create(fwd.bytes);
  const feeds = (vals: Float32Array[]) =>
    Object.fromEntries(
      inputs.map((inp, k) => [inp.name, { data: vals[k] as Float32Array, dims: inp.shape }]),
    );
  const res = await s.run(feeds(values));
  const lossOf = async (vals: Float32Array[]): Promise<number> => {
    const out = await f.run(feeds(vals));
    return (Object.values(out)[0]?.data as Float32Array)[0] ?? NaN;
  };
  const eps = opts.eps ?? 1e-2;
  let maxError = 0;
  let checked = 0;
  for (let k = 0; k < inputs.length; k++) {
    const analytic = res[full.grads[k] as string]?.data as Float32Array;
    const v = values[k] as Float32Array;
    const picks = Math.min(opts.samples ?? 12, v.length);
    for (let p = 0; p < picks; p++) {
      const idx = Math.floor(rnd() * v.length);
      const orig = v[idx] as number;
      v[idx] = orig + eps;
      const up = await lossOf(values);
      v[idx] = orig - eps;
      const down = await lossOf(values);
      v[idx] = orig;
      const numeric = (up - down) / (2 * eps);
      maxError = Math.max(
        maxError,
        Math.abs((analytic[idx] ?? NaN) - numeric) / Math.max(1, Math.abs(numeric)),
      );
      checked++;
    }
  }
  await s.release();
  await f.release();
  return { maxError, checked };
}
