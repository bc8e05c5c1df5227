import { robustnessError } from '../errors.js';
import type { Graph } from './graph.js';
import { decodeModel } from './proto.js';
import type { Attr, Attrs, Shape } from './types.js';

/** A user's ONNX classifier, ready to be re-emitted into Warden graphs (for gradients) or run as is. */
export interface ImportedModel {
  bytes: Uint8Array;
  inputName: string;
  /** Per-example input shape (batch dimension removed). */
  input: Shape;
  classes: number;
  emit(g: Graph, x: string): string;
}

type Obj = Record<string, unknown>;

function dimsOf(vi: Obj | undefined): Shape {
  const dims = (((vi?.type as Obj | undefined)?.tensorType as Obj | undefined)?.shape as Obj | undefined)
    ?.dim as Obj[] | undefined;
  return (dims ?? []).map((d) => (typeof d.dimValue === 'number' && d.dimValue > 0 ? d.dimValue : -1));
}

function floatData(t: Obj): Float32Array {
  if (t.rawData instanceof Uint8Array) {
    const b = t.rawData;
    return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
  }
  return Float32Array.from((t.floatData as number[] | undefined) ?? []);
}

function intData(t: Obj): number[] {
  if (t.rawData instanceof Uint8Array) {
    const b = t.rawData;
    return Array.from(new BigInt64Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength)), Number);
  }
  return ((t.int64Data as number[] | undefined) ?? []).map(Number);
}

function convertAttr(a: Obj): Attr | undefined {
  switch (a.type) {
    case 1:
      return { f: a.f as number };
    case 2:
      return { i: Number(a.i) };
    case 3:
      return { s: Buffer.from(a.s as Uint8Array).toString() };
    case 6:
      return { floats: (a.floats as number[]) ?? [] };
    case 7:
      return { ints: ((a.ints as number[]) ?? []).map(Number) };
    default:
      return undefined;
  }
}

/** Reads an ONNX classifier (float32 input and weights, one input, logits as first output). */
export function importOnnx(bytes: Uint8Array): ImportedModel {
  const model = decodeModel(bytes);
  const graph = (model.graph ?? {}) as Obj;
  const inits = ((graph.initializer as Obj[] | undefined) ?? []).filter((t) => typeof t.name === 'string');
  const initNames = new Set(inits.map((t) => t.name as string));
  const inputs = ((graph.input as Obj[] | undefined) ?? []).filter((i) => !initNames.has(i.name as string));
  if (inputs.length !== 1)
    throw robustnessError('MODEL_INVALID', `expected one model input, found ${inputs.length}`);
  const inVi = inputs[0] as Obj;
  const outVi = ((graph.output as Obj[] | undefined) ?? [])[0];
  const inShape = dimsOf(inVi);
  const classes = dimsOf(outVi).at(-1) ?? -1;
  if (inShape.slice(1).some((d) => d < 0) || classes < 1)
    throw robustnessError(
      'MODEL_INVALID',
      'the model needs static input dimensions (except the batch) and a static class count',
    );
  const nodes = (graph.node as Obj[] | undefined) ?? [];
  const emit = (g: Graph, x: string): string => {
    const prefix = g.fresh('m');
    const names = new Map<string, string>([
      [inVi.name as string, x],
      ['', ''],
    ]);
    for (const t of inits) {
      const nm = `${prefix}/${t.name as string}`;
      const dims = ((t.dims as number[]) ?? []).map(Number);
      if (t.dataType === 1) g.param(nm, dims, floatData(t));
      else if (t.dataType === 7) names.set(t.name as string, g.constantInt(intData(t), dims));
      else
        throw robustnessError(
          'MODEL_INVALID',
          `initializer ${t.name as string} has unsupported type ${String(t.dataType)}`,
        );
      if (!names.has(t.name as string)) names.set(t.name as string, nm);
    }
    for (const n of nodes) {
      const op = n.opType as string;
      const outs = (n.output as string[]) ?? [];
      if (op === 'Constant') {
        const t = ((n.attribute as Obj[]) ?? []).find((a) => a.name === 'value')?.t as Obj | undefined;
        if (!t || !outs[0]) throw robustnessError('UNSUPPORTED_OP', 'Constant without a tensor value');
        const dims = ((t.dims as number[]) ?? []).map(Number);
        names.set(
          outs[0],
          t.dataType === 7 ? g.constantInt(intData(t), dims) : g.constant(floatData(t), dims),
        );
        continue;
      }
      const attrs: Attrs = {};
      for (const a of (n.attribute as Obj[]) ?? []) {
        const v = convertAttr(a);
        if (v) attrs[a.name as string] = v;
      }
      const ins = ((n.input as string[]) ?? []).map((i) => {
        const m = names.get(i);
        if (m === undefined) throw robustnessError('MODEL_INVALID', `node ${op} reads unknown tensor "${i}"`);
        return m;
      });
      const produced = g.op(op, ins, attrs, outs.length);
      outs.forEach((o, k) => names.set(o, produced[k] as string));
    }
    const out = names.get((outVi?.name as string) ?? '');
    if (!out) throw robustnessError('MODEL_INVALID', 'the model output is not produced by any node');
    return out;
  };
  return { bytes, inputName: inVi.name as string, input: inShape.slice(1), classes, emit };
}
