import type { AttackTarget } from './attacks/types.js';
import { importOnnx } from './engine/import.js';
import { onnxClassifier } from './evaluate.js';
import type { Graph } from './engine/graph.js';
import { emitLayers } from './models/layers.js';
import type { Model } from './models/model.js';
import { releaseStepSessions } from './attacks/step-cache.js';

/** Closing a white-box target also closes the attack step sessions kept for it. */
function keepsSessions<T extends AttackTarget & { close(): Promise<void> }>(t: T): T {
  const close = t.close.bind(t);
  t.close = async () => {
    await releaseStepSessions(t);
    await close();
  };
  return t;
}

/**
 * A white-box attack target over a model defined in code, as its weights are now: logits and gradients both
 * use this snapshot, so training the model further does not change a target (or its kept step sessions).
 */
export async function modelTarget(
  model: Model,
  threads = 1,
): Promise<AttackTarget & { close(): Promise<void> }> {
  const frozen = model.params.map((p) => ({ ...p, data: Float32Array.from(p.data) }));
  const clf = await onnxClassifier(model.toOnnx(), model.input, model.classes, threads);
  const emit = (g: Graph, x: string): string => {
    for (const p of frozen) g.param(p.name, p.dims, p.data);
    return emitLayers(g, model.layers, x);
  };
  return keepsSessions({ ...clf, emit });
}

/** A white-box attack target over a user's ONNX file: gradients come from re-emitting its graph. */
export async function onnxTarget(
  bytes: Uint8Array,
  threads = 1,
): Promise<AttackTarget & { close(): Promise<void> }> {
  const m = importOnnx(bytes);
  const clf = await onnxClassifier(bytes, m.input, m.classes, threads);
  return keepsSessions({ ...clf, emit: (g, x) => m.emit(g, x) });
}
