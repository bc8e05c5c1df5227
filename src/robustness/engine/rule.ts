import type { Graph } from './graph.js';
import type { Attrs, GraphNode, Shape } from './types.js';

/** What a backward rule sees: the forward node, its shapes, and the gradients of its outputs. */
export interface BackwardContext {
  g: Graph;
  node: GraphNode;
  inShapes: Shape[];
  outShapes: Shape[];
  /** Gradient tensor name per forward output (undefined when no gradient flows into it). */
  gradOut: (string | undefined)[];
  /** Whether a gradient is wanted per forward input. */
  needs: boolean[];
}

/** Shape inference and reverse-mode gradient of one ONNX op type, written in standard ONNX ops. */
export interface OpRule {
  op: string;
  infer(inShapes: Shape[], attrs: Attrs, g: Graph, node: GraphNode): Shape[];
  /** Absent for ops that carry no gradient (shape plumbing, comparisons): differentiating through them fails. */
  backward?(ctx: BackwardContext): (string | undefined)[];
}
