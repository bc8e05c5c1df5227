import type { AttackTarget } from './attacks/types.js';
import { importOnnx } from './engine/import.js';
import { onnxClassifier } from './evaluate.js';
import type { Model } from './models/model.js';

/** A white-box attack target over a model defined in code. */
export async function modelTarget(
  model: Model,
  threads = 1,
): Promise<AttackTarget & { close(): Promise<void> }> {
  const clf = await onnxClassifier(model.toOnnx(), model.input, model.classes, threads);
  return { ...clf, emit: (g, x) => model.emit(g, x) };
}

/** A white-box attack target over a user's ONNX file: gradients come from re-emitting its graph. */
export async function onnxTarget(
  bytes: Uint8Array,
  threads = 1,
): Promise<AttackTarget & { close(): Promise<void> }> {
  const m = importOnnx(bytes);
  const clf = await onnxClassifier(bytes, m.input, m.classes, threads);
  return { ...clf, emit: (g, x) => m.emit(g, x) };
}
