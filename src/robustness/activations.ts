import { robustnessError } from './errors.js';
import { Graph } from './engine/graph.js';
import { importOnnx } from './engine/import.js';
import { Session } from './engine/session.js';
import type { Model } from './models/model.js';

/** Representations of a batch of inputs: n rows of `dim` features. */
export interface Activations {
  data: Float32Array;
  dim: number;
  n: number;
}

/**
 * Penultimate-layer activations of a classifier (a model defined in code, or ONNX bytes): the input of the
 * last Gemm/MatMul on the way to the logits, which is what poisoning detectors (spectral signatures,
 * activation clustering) read. Runs in batches through onnxruntime.
 */
export async function penultimateActivations(
  model: Model | Uint8Array,
  x: Float32Array,
  n: number,
  opts: { batch?: number; threads?: number } = {},
): Promise<Activations> {
  const g = new Graph();
  const imported = model instanceof Uint8Array ? importOnnx(model) : undefined;
  const shape = imported ? imported.input : (model as Model).input;
  const input = g.input('input', [-1, ...shape]);
  if (imported) imported.emit(g, input);
  else (model as Model).emit(g, input);
  const last = [...g.nodes].reverse().find((nd) => nd.op === 'Gemm' || nd.op === 'MatMul');
  const feat = last?.inputs.find((name) => !g.initializers.has(name));
  if (!feat)
    throw robustnessError(
      'MODEL_INVALID',
      'the model has no final Gemm/MatMul layer to read activations from',
    );
  const dims = g.shape(feat);
  const dim = dims.slice(1).reduce((a, b) => a * b, 1);
  g.output(feat);
  const session = await Session.create(g.toBytes(), { threads: opts.threads ?? 1 });
  const per = shape.reduce((a, b) => a * b, 1);
  const batch = opts.batch ?? 500;
  const out = new Float32Array(n * dim);
  try {
    for (let s = 0; s < n; s += batch) {
      const m = Math.min(batch, n - s);
      const r = await session.run(
        { input: { data: x.subarray(s * per, (s + m) * per), dims: [m, ...shape] } },
        [feat],
      );
      out.set((r[feat]?.data as Float32Array).subarray(0, m * dim), s * dim);
    }
  } finally {
    await session.release();
  }
  return { data: out, dim, n };
}
