import type { Classifier } from '../evaluate.js';
import type { Graph } from '../engine/graph.js';

export type Norm = 'inf' | '2';

/** A model an attack can query: logits always, and a graph to differentiate when it is white-box. */
export interface AttackTarget extends Classifier {
  /** Emits the forward pass into `g` (weights baked in) and returns the logits; absent for black boxes. */
  emit?: (g: Graph, x: string) => string;
}

/** Budget and knobs shared by the attacks; each attack reads the ones it needs. */
export interface AttackParams {
  eps: number;
  norm: Norm;
  steps: number;
  /** Step size; default 2.5 * eps / steps as in Madry et al. */
  alpha?: number;
  randomStart: boolean;
  restarts: number;
  seed: number;
  /** Input domain bounds. */
  clipMin: number;
  clipMax: number;
  /** Query budget per example for black-box attacks (Square: iterations; HopSkipJump: model calls). */
  queries?: number;
  /** C&W: initial trade-off constant and binary-search steps; confidence margin kappa. */
  c?: number;
  searchSteps?: number;
  kappa?: number;
  /** DeepFool: overshoot factor. */
  overshoot?: number;
  /** Onnxruntime threads for the attack's own sessions. */
  threads?: number;
}

/** An evasion attack: perturbs a batch of inputs so that the target misclassifies them. */
export interface Attack {
  name: string;
  kind: 'white-box' | 'score-based' | 'decision-based';
  description: string;
  /** The threat models (norms) it implements. */
  norms: readonly Norm[];
  run(
    target: AttackTarget,
    x: Float32Array,
    y: Uint8Array,
    n: number,
    p: AttackParams,
  ): Promise<Float32Array>;
}
