import { robustnessError } from '../../errors.js';
import type { Graph } from '../graph.js';
import { attrInt, type Shape } from '../types.js';
import type { OpRule } from '../rule.js';
import { normAxis } from './util.js';

/** The static window a Slice cuts, per axis of the input: [begin, end) with a positive step, or a reversal. */
function sliceWindow(
  g: Graph,
  inputs: string[],
  x: Shape,
): { axis: number; begin: number; end: number; step: number; reverse?: boolean }[] {
  const starts = g.constInts(inputs[1] ?? '');
  const ends = g.constInts(inputs[2] ?? '');
  if (!starts || !ends) throw robustnessError('UNSUPPORTED_OP', 'Slice needs constant starts and ends');
  const axes = (inputs[3] ? g.constInts(inputs[3]) : undefined) ?? starts.map((_, k) => k);
  const steps = inputs[4] ? g.constInts(inputs[4]) : undefined;
  return axes.map((a, k) => {
    const axis = normAxis(a, x.length);
    const d = x[axis] ?? -1;
    const step = steps?.[k] ?? 1;
    // a whole-axis reversal (start -1, end before the first element, step -1) keeps the size; no other steps
    if (step === -1 && starts[k] === -1 && (ends[k] ?? 0) <= -d - 1)
      return { axis, begin: 0, end: d, step: 1, reverse: true };
    if (step < 1)
      throw robustnessError('UNSUPPORTED_OP', 'Slice with negative steps (other than a full reversal)');
    if (d < 0) return { axis, begin: 0, end: -1, step };
    const clamp = (v: number) => Math.max(0, Math.min(d, v < 0 ? v + d : v));
    const begin = clamp(starts[k] ?? 0);
    return { axis, begin, end: Math.max(begin, clamp(ends[k] ?? d)), step };
  });
}

/** Slice of `x` along one axis, [begin, end). */
function cut(g: Graph, x: string, axis: number, begin: number, end: number): string {
  return g.op1('Slice', [x, g.constantInt([begin]), g.constantInt([end]), g.constantInt([axis])]);
}

/** Slicing, padding, concatenation and squeezing; the gradient of each is its opposite (pad <-> slice). */
export const SLICING_RULES: OpRule[] = [
  {
    op: 'Slice',
    infer: ([x = []], _a, g, node) => {
      const out = [...x];
      for (const w of sliceWindow(g, node.inputs, x))
        if (w.end >= 0) out[w.axis] = Math.ceil((w.end - w.begin) / w.step);
      return [out];
    },
    backward: ({ g, node, gradOut: [gy], inShapes }) => {
      if (!gy) return [];
      const x = inShapes[0] ?? [];
      const pads = Array<number>(2 * x.length).fill(0);
      for (const w of sliceWindow(g, node.inputs, x)) {
        if (w.reverse || w.step !== 1)
          throw robustnessError('UNSUPPORTED_OP', 'gradient of a Slice with steps other than 1');
        if (w.end < 0)
          throw robustnessError('UNSUPPORTED_OP', 'Slice gradient along a run-time (batch) dimension');
        pads[w.axis] = w.begin;
        pads[w.axis + x.length] = (x[w.axis] ?? 0) - w.end;
      }
      return [g.op1('Pad', [gy, g.constantInt(pads)])];
    },
  },
  {
    op: 'Pad',
    infer: ([x = []], _a, g, node) => {
      const pads = g.constInts(node.inputs[1] ?? '');
      if (!pads) throw robustnessError('UNSUPPORTED_OP', 'Pad needs constant pads');
      if (node.inputs[3]) throw robustnessError('UNSUPPORTED_OP', 'Pad with an axes input');
      return [x.map((d, k) => (d < 0 ? -1 : d + (pads[k] ?? 0) + (pads[k + x.length] ?? 0)))];
    },
    backward: ({ g, node, gradOut: [gy], inShapes }) => {
      if (!gy) return [];
      const mode = node.attrs.mode;
      if (mode && 's' in mode && mode.s !== 'constant')
        throw robustnessError('UNSUPPORTED_OP', `Pad gradient in ${mode.s} mode (only constant)`);
      const x = inShapes[0] ?? [];
      const pads = g.constInts(node.inputs[1] ?? '') ?? [];
      if (pads.some((p) => p < 0)) throw robustnessError('UNSUPPORTED_OP', 'Pad gradient with negative pads');
      let out = gy;
      x.forEach((d, axis) => {
        const begin = pads[axis] ?? 0;
        const end = pads[axis + x.length] ?? 0;
        if (begin === 0 && end === 0) return;
        if (d < 0) throw robustnessError('UNSUPPORTED_OP', 'Pad gradient along a run-time dimension');
        out = cut(g, out, axis, begin, begin + d);
      });
      return [out];
    },
  },
  {
    op: 'Concat',
    infer: (shapes, attrs) => {
      const first = shapes[0] ?? [];
      const axis = normAxis(attrInt(attrs, 'axis', 0), first.length);
      const out = [...first];
      out[axis] = shapes.some((s) => (s[axis] ?? -1) < 0)
        ? -1
        : shapes.reduce((a, s) => a + (s[axis] ?? 0), 0);
      return [out];
    },
    backward: ({ g, node, gradOut: [gy], inShapes, needs }) => {
      if (!gy) return [];
      const axis = normAxis(attrInt(node.attrs, 'axis', 0), (inShapes[0] ?? []).length);
      let offset = 0;
      return inShapes.map((s, k) => {
        const d = s[axis] ?? -1;
        if (d < 0) throw robustnessError('UNSUPPORTED_OP', 'Concat gradient along a run-time dimension');
        const gi = needs[k] ? cut(g, gy, axis, offset, offset + d) : undefined;
        offset += d;
        return gi;
      });
    },
  },
  {
    op: 'Squeeze',
    infer: ([x = []], _a, g, node) => {
      const axes = (node.inputs[1] ? g.constInts(node.inputs[1]) : undefined)?.map((a) =>
        normAxis(a, x.length),
      );
      return [x.filter((d, k) => (axes ? !axes.includes(k) : d !== 1))];
    },
    backward: ({ g, node, gradOut: [gy] }) => [gy && reshapeLike(g, gy, node.inputs[0] as string)],
  },
];

/** Reshapes a gradient back to the shape of `x`: a constant target when static, the run-time shape otherwise. */
export function reshapeLike(g: Graph, gy: string, x: string): string {
  const s = g.shape(x);
  if (!s.includes(-1)) return g.op1('Reshape', [gy, g.constantInt(s)]);
  const out = g.op1('Reshape', [gy, g.op1('Shape', [x])]);
  g.declare(out, s);
  return out;
}
