/** Static tensor shape; -1 marks a dimension known only at run time (the batch). */
export type Shape = number[];

export type ElemType = 'float' | 'int64' | 'bool';

/** An ONNX attribute value, tagged so that ints and floats stay distinct. */
export type Attr =
  | { i: number }
  | { f: number }
  | { s: string }
  | { ints: number[] }
  | { floats: number[] }
  | { t: TensorData };

export type Attrs = Record<string, Attr>;

/** Constant tensor data held by a graph (initializers, attribute tensors). */
export interface TensorData {
  type: ElemType;
  dims: number[];
  data: Float32Array | BigInt64Array | Uint8Array;
}

/** One ONNX node as the builder keeps it. */
export interface GraphNode {
  op: string;
  name: string;
  inputs: string[];
  outputs: string[];
  attrs: Attrs;
}

export const int = (i: number): Attr => ({ i });
export const ints = (v: number[]): Attr => ({ ints: v });
export const float = (f: number): Attr => ({ f });
export const floats = (v: number[]): Attr => ({ floats: v });

export function attrInt(attrs: Attrs, name: string, dflt: number): number {
  const a = attrs[name];
  return a && 'i' in a ? a.i : dflt;
}
export function attrInts(attrs: Attrs, name: string, dflt: number[]): number[] {
  const a = attrs[name];
  return a && 'ints' in a ? a.ints : dflt;
}
export function attrFloat(attrs: Attrs, name: string, dflt: number): number {
  const a = attrs[name];
  return a && 'f' in a ? a.f : dflt;
}

export function numel(shape: Shape): number {
  return shape.reduce((a, b) => a * b, 1);
}
