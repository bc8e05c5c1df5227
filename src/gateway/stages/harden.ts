import { gatewayError } from '../errors.js';
import type { Tensor } from '../tensor.js';

/**
 * How a model's answer leaves the gateway. Classifier modes turn the first output's rows into
 * probabilities (softmax, unless the model already outputs them) before anything else: raw logits carry
 * the most for model extraction and membership inference, so they never leave.
 */
export interface OutputPolicy {
  /** probabilities: all classes; top-k: k best labels with scores; label: the best label only; regression: values. */
  mode: 'probabilities' | 'top-k' | 'label' | 'regression';
  /** Decimals kept in scores and values (default 4). */
  decimals: number;
  /** Classes returned in top-k mode (default 1). */
  topK: number;
  /** The model's output rows already are probabilities (skip the softmax). */
  probabilities: boolean;
}

export const DEFAULT_OUTPUT_POLICY: OutputPolicy = {
  mode: 'probabilities',
  decimals: 4,
  topK: 1,
  probabilities: false,
};

/** A raw model output: flat numbers and dims. */
export interface RawOutput {
  name: string;
  dims: readonly number[];
  data: ArrayLike<number>;
}

/** The hardened answer, and the predicted label of each row (for extraction and drift monitoring). */
export interface Hardened {
  outputs: Tensor[];
  labels: number[];
}

export function round(x: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.round(x * f) / f;
}

/** Applies the output policy to the model's first output. */
export function harden(raw: readonly RawOutput[], p: OutputPolicy): Hardened {
  const out = raw[0];
  if (!out) throw gatewayError('GATEWAY_MODEL_INVALID', 'the model returned no output');
  if (p.mode === 'regression') {
    const data = Array.from(out.data, (v) => round(v, p.decimals));
    return { outputs: [{ name: out.name, datatype: 'FP32', shape: [...out.dims], data }], labels: [] };
  }
  if (out.dims.length !== 2)
    throw gatewayError(
      'GATEWAY_MODEL_INVALID',
      `a classifier output must be [rows, classes], got [${out.dims.join(', ')}]`,
    );
  const rows = out.dims[0]!;
  const classes = out.dims[1]!;
  const probs = new Float64Array(rows * classes);
  const labels: number[] = [];
  for (let r = 0; r < rows; r++) {
    const o = r * classes;
    let best = 0;
    let max = -Infinity;
    for (let c = 0; c < classes; c++) {
      const v = out.data[o + c]!;
      if (v > max) {
        max = v;
        best = c;
      }
    }
    labels.push(best);
    if (p.probabilities) for (let c = 0; c < classes; c++) probs[o + c] = out.data[o + c]!;
    else {
      let sum = 0;
      for (let c = 0; c < classes; c++) sum += probs[o + c] = Math.exp(out.data[o + c]! - max);
      for (let c = 0; c < classes; c++) probs[o + c]! /= sum;
    }
  }
  if (p.mode === 'label')
    return { outputs: [{ name: 'label', datatype: 'INT64', shape: [rows], data: labels }], labels };
  if (p.mode === 'probabilities') {
    const f = 10 ** p.decimals;
    const data = new Array<number>(probs.length);
    for (let i = 0; i < probs.length; i++) data[i] = Math.round(probs[i]! * f) / f;
    return { outputs: [{ name: 'probabilities', datatype: 'FP32', shape: [rows, classes], data }], labels };
  }
  const k = Math.min(p.topK, classes);
  const idx: number[] = [];
  const scores: number[] = [];
  const order = Array.from({ length: classes }, (_, c) => c);
  for (let r = 0; r < rows; r++) {
    const o = r * classes;
    const top = order
      .slice()
      .sort((a, b) => probs[o + b]! - probs[o + a]! || a - b)
      .slice(0, k);
    for (const c of top) {
      idx.push(c);
      scores.push(round(probs[o + c]!, p.decimals));
    }
  }
  return {
    outputs: [
      { name: 'labels', datatype: 'INT64', shape: [rows, k], data: idx },
      { name: 'scores', datatype: 'FP32', shape: [rows, k], data: scores },
    ],
    labels,
  };
}
