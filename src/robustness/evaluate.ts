import { Session } from './engine/session.js';
import type { Dataset } from './data/dataset.js';

/** Something that maps a batch of inputs to logits: an in-process ONNX session or a remote endpoint. */
export interface Classifier {
  input: number[];
  classes: number;
  logits(x: Float32Array, n: number): Promise<Float32Array>;
}

/** A classifier over ONNX bytes whose graph has one input and the logits as first output. */
export async function onnxClassifier(
  bytes: Uint8Array,
  input: number[],
  classes: number,
  threads = 1,
): Promise<Classifier & { close(): Promise<void> }> {
  const s = await Session.create(bytes, { threads });
  const inName = s.inputNames[0] as string;
  const outName = s.outputNames[0] as string;
  return {
    input,
    classes,
    async logits(x, n) {
      const out = await s.run({ [inName]: { data: x, dims: [n, ...input] } }, [outName]);
      return out[outName]?.data as Float32Array;
    },
    close: () => s.release(),
  };
}

export function argmax(logits: Float32Array, classes: number, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < classes; c++)
      if ((logits[i * classes + c] as number) > (logits[i * classes + best] as number)) best = c;
    out[i] = best;
  }
  return out;
}

/** Predicted labels for a whole data set, in batches. */
export async function predict(clf: Classifier, x: Float32Array, n: number, batch = 500): Promise<Uint8Array> {
  const per = clf.input.reduce((a, b) => a * b, 1);
  const out = new Uint8Array(n);
  for (let s = 0; s < n; s += batch) {
    const m = Math.min(batch, n - s);
    out.set(argmax(await clf.logits(x.subarray(s * per, (s + m) * per), m), clf.classes, m), s);
  }
  return out;
}

export async function accuracy(clf: Classifier, d: Dataset, limit = d.size): Promise<number> {
  const n = Math.min(limit, d.size);
  const pred = await predict(clf, d.x, n);
  let ok = 0;
  for (let k = 0; k < n; k++) if (pred[k] === d.y[k]) ok++;
  return ok / n;
}
