import { seededRandom } from '../../core/index.js';
import { robustnessError } from '../errors.js';
import { Graph } from '../engine/graph.js';
import type { Shape } from '../engine/types.js';
import { emitLayers, layerParams, type EmitOptions, type Layer, type Param } from './layers.js';

/** The architectures Warden defines in code, by name: one list for the CLI, training and the demo. */
export const ARCHITECTURES: Record<string, { input: Shape; classes: number; layers: Layer[] }> = {
  'mnist-mlp': {
    input: [1, 28, 28],
    classes: 10,
    layers: [
      { kind: 'flatten' },
      { kind: 'dense', units: 128 },
      { kind: 'relu' },
      { kind: 'dense', units: 10 },
    ],
  },
  // The benchmark CNN of the robustness issue: conv32-3x3, pool, conv64-3x3, pool, dense128, dense10.
  'mnist-cnn': {
    input: [1, 28, 28],
    classes: 10,
    layers: [
      { kind: 'conv', filters: 32, kernel: 3 },
      { kind: 'relu' },
      { kind: 'maxpool', size: 2 },
      { kind: 'conv', filters: 64, kernel: 3 },
      { kind: 'relu' },
      { kind: 'maxpool', size: 2 },
      { kind: 'flatten' },
      { kind: 'dense', units: 128 },
      { kind: 'relu' },
      { kind: 'dense', units: 10 },
    ],
  },
  // A small ResNet: stem conv-bn-relu, two basic blocks (the second strided with a projection shortcut), GAP.
  'mnist-resnet': {
    input: [1, 28, 28],
    classes: 10,
    layers: [
      { kind: 'conv', filters: 16, kernel: 3, pad: 1 },
      { kind: 'batchnorm' },
      { kind: 'relu' },
      { kind: 'maxpool', size: 2 },
      { kind: 'resblock', filters: 16 },
      { kind: 'resblock', filters: 32, stride: 2 },
      { kind: 'globalavgpool' },
      { kind: 'flatten' },
      { kind: 'dense', units: 10 },
    ],
  },
};

/** A model defined in code: its layers and current weights. */
export class Model {
  readonly params: Param[];

  constructor(
    readonly name: string,
    readonly input: Shape,
    readonly classes: number,
    readonly layers: readonly Layer[],
    seed = 0,
  ) {
    this.params = layerParams(layers, input);
    const rnd = seededRandom(seed);
    // He-normal weights for ReLU networks, zero biases; Box-Muller from the seeded generator.
    for (const p of this.params) {
      if (p.init === 'zeros' || p.init === 'ones' || (p.init === undefined && p.name.endsWith('.bias')))
        continue;
      const std = Math.sqrt(2 / p.fanIn);
      for (let k = 0; k < p.data.length; k++)
        p.data[k] = std * Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
    }
  }

  static create(arch: string, seed = 0): Model {
    const a = ARCHITECTURES[arch];
    if (!a)
      throw robustnessError(
        'MODEL_INVALID',
        `unknown model "${arch}"; known: ${Object.keys(ARCHITECTURES).join(', ')}`,
        { kind: 'usage' },
      );
    return new Model(arch, a.input, a.classes, a.layers, seed);
  }

  /**
   * Adds the weights and the forward pass to `g`; returns the logits tensor name. In training mode, batch
   * normalisation uses batch statistics and reports its updated running averages in `o.stats`.
   */
  emit(g: Graph, x: string, o: EmitOptions = {}): string {
    for (const p of this.params) g.param(p.name, p.dims, p.data);
    return emitLayers(g, this.layers, x, o);
  }

  /** The parameters the optimizer updates (everything but batch-norm running statistics). */
  get trainable(): Param[] {
    return this.params.filter((p) => p.trainable !== false);
  }

  /** The inference model as ONNX bytes: input `input` [N, ...shape], output `logits` [N, classes]. */
  toOnnx(): Uint8Array {
    const g = new Graph();
    const x = g.input('input', [-1, ...this.input]);
    const logits = this.emit(g, x);
    const out = g.op1('Identity', [logits]);
    g.declare(out, g.shape(logits));
    renameOutput(g, out, 'logits');
    g.output('logits');
    return g.toBytes();
  }

  get parameterCount(): number {
    return this.params.reduce((a, p) => a + p.data.length, 0);
  }
}

/** Gives the last node's output a stable public name. */
function renameOutput(g: Graph, from: string, to: string): void {
  const node = g.nodes.find((n) => n.outputs.includes(from));
  if (!node) return;
  node.outputs = node.outputs.map((o) => (o === from ? to : o));
  g.declare(to, g.shape(from), g.type(from));
}
