import { robustnessError } from '../errors.js';
import type { Graph } from './graph.js';
import { findRule } from './rules/index.js';

/**
 * Appends reverse-mode gradient nodes to `g`: d(loss)/d(t) for every tensor named in `wrt`.
 * The forward nodes must already be in topological order (the builder guarantees it).
 */
export function differentiate(g: Graph, loss: string, wrt: readonly string[]): Map<string, string> {
  const forward = [...g.nodes];
  const dependsOnWrt = new Set(wrt);
  for (const n of forward)
    if (n.inputs.some((i) => dependsOnWrt.has(i))) n.outputs.forEach((o) => dependsOnWrt.add(o));
  if (!dependsOnWrt.has(loss))
    throw robustnessError('SHAPE_MISMATCH', `"${loss}" does not depend on ${wrt.join(', ')}`);

  const grads = new Map<string, string>();
  const lossShape = g.shape(loss);
  grads.set(
    loss,
    lossShape.length === 0
      ? g.constant([1], [])
      : g.op1('Expand', [g.constant([1], []), g.op1('Shape', [loss])]),
  );

  for (let k = forward.length - 1; k >= 0; k--) {
    const node = forward[k];
    if (!node) continue;
    const gradOut = node.outputs.map((o) => grads.get(o));
    if (gradOut.every((x) => x === undefined)) continue;
    const needs = node.inputs.map((i) => i !== '' && dependsOnWrt.has(i));
    if (!needs.some(Boolean)) continue;
    const rule = findRule(node.op);
    if (!rule?.backward) throw robustnessError('UNSUPPORTED_OP', `no gradient rule for ONNX op "${node.op}"`);
    const inGrads = rule.backward({
      g,
      node,
      inShapes: node.inputs.map((i) => (i === '' ? [] : g.shape(i))),
      outShapes: node.outputs.map((o) => g.shape(o)),
      gradOut,
      needs,
    });
    node.inputs.forEach((input, i) => {
      const gi = inGrads[i];
      if (!gi || !needs[i]) return;
      const prev = grads.get(input);
      grads.set(input, prev ? g.op1('Add', [prev, gi]) : gi);
    });
  }

  const out = new Map<string, string>();
  for (const w of wrt) {
    const gw = grads.get(w);
    if (!gw) throw robustnessError('SHAPE_MISMATCH', `no gradient reaches "${w}" from "${loss}"`);
    out.set(w, gw);
  }
  return out;
}
