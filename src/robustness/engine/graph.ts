import { robustnessError } from '../errors.js';
import { encodeModel, ONNX_TYPE } from './proto.js';
import { findRule } from './rules/index.js';
import type { Attr, Attrs, ElemType, GraphNode, Shape, TensorData } from './types.js';

interface ValueInfo {
  name: string;
  shape: Shape;
  type: ElemType;
}

/**
 * Builds an ONNX graph op by op with static shape inference, so that backward rules can reason about
 * broadcasting and spatial sizes. Dimension -1 is the run-time batch.
 */
export class Graph {
  readonly nodes: GraphNode[] = [];
  readonly inputs: ValueInfo[] = [];
  readonly outputs: ValueInfo[] = [];
  readonly initializers = new Map<string, TensorData>();
  private readonly shapes = new Map<string, Shape>();
  private readonly types = new Map<string, ElemType>();
  private counter = 0;

  fresh(prefix: string): string {
    return `${prefix}__${this.counter++}`;
  }

  shape(name: string): Shape {
    const s = this.shapes.get(name);
    if (!s)
      throw robustnessError('SHAPE_MISMATCH', `no shape known for tensor "${name}"`, { kind: 'internal' });
    return s;
  }

  type(name: string): ElemType {
    return this.types.get(name) ?? 'float';
  }

  has(name: string): boolean {
    return this.shapes.has(name);
  }

  input(name: string, shape: Shape, type: ElemType = 'float'): string {
    this.declare(name, shape, type);
    this.inputs.push({ name, shape, type });
    return name;
  }

  /** A named initializer (a weight); `toBytes` can turn chosen ones into graph inputs. */
  param(name: string, dims: number[], data: Float32Array): string {
    this.initializers.set(name, { type: 'float', dims, data });
    this.declare(name, dims, 'float');
    return name;
  }

  constant(values: number[] | Float32Array, dims: number[] = [values.length]): string {
    const name = this.fresh('const');
    this.initializers.set(name, { type: 'float', dims, data: Float32Array.from(values) });
    this.declare(name, dims, 'float');
    return name;
  }

  constantInt(values: number[], dims: number[] = [values.length]): string {
    const name = this.fresh('ints');
    this.initializers.set(name, { type: 'int64', dims, data: BigInt64Array.from(values.map(BigInt)) });
    this.declare(name, dims, 'int64');
    return name;
  }

  /** Values of a constant int64 initializer (Reshape targets, axes), or undefined when not constant. */
  constInts(name: string): number[] | undefined {
    const t = this.initializers.get(name);
    return t && t.type === 'int64' ? Array.from(t.data as BigInt64Array, Number) : undefined;
  }

  op(op: string, inputs: string[], attrs: Attrs = {}, nOut = 1): string[] {
    const rule = findRule(op);
    if (!rule) throw robustnessError('UNSUPPORTED_OP', `the engine has no rule for ONNX op "${op}"`);
    const node: GraphNode = { op, name: this.fresh(op), inputs, outputs: [], attrs };
    node.outputs = Array.from({ length: nOut }, (_, i) => `${node.name}_out${i}`);
    const shapes = rule.infer(
      inputs.map((i) => (i === '' ? [] : this.shape(i))),
      attrs,
      this,
      node,
    );
    const types = inputs.map((n) => this.type(n));
    node.outputs.forEach((o, i) => this.declare(o, shapes[i] ?? [], outType(op, i, types)));
    this.nodes.push(node);
    return node.outputs;
  }

  /** Single-output convenience form of `op`. */
  op1(op: string, inputs: string[], attrs: Attrs = {}): string {
    return this.op(op, inputs, attrs)[0] as string;
  }

  output(name: string): string {
    this.outputs.push({ name, shape: this.shape(name), type: this.type(name) });
    return name;
  }

  /** Serializes to an ONNX ModelProto; initializers named in `asInputs` become graph inputs fed per run. */
  toBytes(opts: { asInputs?: readonly string[]; opset?: number } = {}): Uint8Array {
    const asInputs = new Set(opts.asInputs ?? []);
    const inputs = [...this.inputs];
    const inits: TensorData[] = [];
    const initNames: string[] = [];
    for (const [name, t] of this.initializers) {
      if (asInputs.has(name)) inputs.push({ name, shape: t.dims, type: t.type });
      else {
        inits.push(t);
        initNames.push(name);
      }
    }
    return encodeModel({
      irVersion: 8,
      opsetImport: [{ domain: '', version: opts.opset ?? 17 }],
      producerName: 'warden',
      graph: {
        name: 'warden',
        node: this.nodes.map((n) => ({
          name: n.name,
          opType: n.op,
          input: n.inputs,
          output: n.outputs,
          attribute: Object.entries(n.attrs).map(([k, v]) => encodeAttr(k, v)),
        })),
        initializer: inits.map((t, i) => encodeTensor(initNames[i] as string, t)),
        input: inputs.map(valueInfo),
        output: this.outputs.map(valueInfo),
      },
    });
  }

  /** Records the shape of a tensor whose size inference cannot see (e.g. a run-time output_shape input). */
  declare(name: string, shape: Shape, type: ElemType = this.type(name)): void {
    this.shapes.set(name, shape);
    this.types.set(name, type);
  }
}

const INT_OUT = new Set(['Shape', 'ArgMax', 'ArgMin']);
const BOOL_OUT = new Set(['Greater', 'Less', 'Equal', 'Not', 'And', 'Or', 'GreaterOrEqual', 'LessOrEqual']);

function outType(op: string, index: number, inputs: ElemType[]): ElemType {
  if (INT_OUT.has(op) || (op === 'MaxPool' && index === 1)) return 'int64';
  if (BOOL_OUT.has(op)) return 'bool';
  if (op === 'Cast') return 'float';
  if (op === 'Where') return inputs[1] ?? 'float';
  return inputs[0] ?? 'float';
}

function encodeTensor(name: string, t: TensorData): Record<string, unknown> {
  const bytes = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
  return { name, dims: t.dims, dataType: ONNX_TYPE[t.type], rawData: bytes };
}

function encodeAttr(name: string, a: Attr): Record<string, unknown> {
  if ('i' in a) return { name, type: 2, i: a.i };
  if ('f' in a) return { name, type: 1, f: a.f };
  if ('s' in a) return { name, type: 3, s: Buffer.from(a.s) };
  if ('ints' in a) return { name, type: 7, ints: a.ints };
  if ('floats' in a) return { name, type: 6, floats: a.floats };
  return { name, type: 4, t: encodeTensor(name, a.t) };
}

function valueInfo(v: ValueInfo): Record<string, unknown> {
  return {
    name: v.name,
    type: {
      tensorType: {
        elemType: ONNX_TYPE[v.type],
        shape: { dim: v.shape.map((d) => (d < 0 ? { dimParam: 'N' } : { dimValue: d })) },
      },
    },
  };
}
