import { readFileSync } from 'node:fs';
import type { InferenceSession, Tensor as OrtTensor } from 'onnxruntime-node';
import { gatewayError } from '../errors.js';
import type { RawOutput } from '../stages/harden.js';
import { ORT_TO_OIP, type Datatype, type ModelMetadata, type Tensor, type TensorSpec } from '../tensor.js';
import type { Backend } from './types.js';

type Ort = typeof import('onnxruntime-node');

/** Options of an in-process ONNX model. */
export interface OnnxOptions {
  version?: string;
  /** onnxruntime intra-op threads (default 1: requests run concurrently instead). */
  threads?: number;
}

const OIP_TO_ORT: Partial<Record<Datatype, OrtTensor.Type>> = {
  FP32: 'float32',
  FP64: 'float64',
  INT64: 'int64',
  INT32: 'int32',
  INT16: 'int16',
  INT8: 'int8',
  UINT8: 'uint8',
  UINT16: 'uint16',
  UINT32: 'uint32',
  UINT64: 'uint64',
  BOOL: 'bool',
};

/** An ONNX model run in this process by onnxruntime-node; metadata comes from the model itself. */
export class OnnxBackend implements Backend {
  readonly kind = 'onnx' as const;
  private constructor(
    private readonly ort: Ort,
    private readonly session: InferenceSession,
    private readonly meta: ModelMetadata,
    readonly version: string,
  ) {}

  static async load(name: string, path: string, opts: OnnxOptions = {}): Promise<OnnxBackend> {
    let bytes: Buffer;
    try {
      bytes = readFileSync(path);
    } catch (e) {
      throw gatewayError(
        'GATEWAY_MODEL_INVALID',
        `cannot read model ${name} at ${path}: ${(e as Error).message}`,
      );
    }
    return OnnxBackend.fromBytes(name, bytes, opts);
  }

  static async fromBytes(name: string, bytes: Uint8Array, opts: OnnxOptions = {}): Promise<OnnxBackend> {
    const ort = await import('onnxruntime-node');
    let session: InferenceSession;
    try {
      session = await ort.InferenceSession.create(bytes, {
        intraOpNumThreads: opts.threads ?? 1,
        interOpNumThreads: 1,
        executionMode: 'sequential',
        graphOptimizationLevel: 'all',
        enableCpuMemArena: true,
        enableMemPattern: true,
      });
    } catch (e) {
      throw gatewayError(
        'GATEWAY_MODEL_INVALID',
        `onnxruntime rejected model ${name}: ${(e as Error).message}`,
      );
    }
    const spec = (m: InferenceSession.ValueMetadata): TensorSpec => {
      if (!m.isTensor)
        throw gatewayError('GATEWAY_MODEL_INVALID', `model ${name}: ${m.name} is not a tensor`);
      const datatype = ORT_TO_OIP[m.type];
      if (!datatype) throw gatewayError('GATEWAY_MODEL_INVALID', `model ${name}: unsupported type ${m.type}`);
      return {
        name: m.name,
        datatype,
        shape: m.shape.map((d) => (typeof d === 'number' && d >= 0 ? d : -1)),
      };
    };
    const version = opts.version ?? '1';
    const meta: ModelMetadata = {
      name,
      versions: [version],
      platform: 'onnxruntime',
      inputs: session.inputMetadata.map(spec),
      outputs: session.outputMetadata.map(spec),
    };
    return new OnnxBackend(ort, session, meta, version);
  }

  metadata(): ModelMetadata {
    return this.meta;
  }

  ready(): Promise<boolean> {
    return Promise.resolve(true);
  }

  async infer(inputs: readonly Tensor[]): Promise<RawOutput[]> {
    const feeds: Record<string, OrtTensor> = {};
    for (const t of inputs) {
      const type = OIP_TO_ORT[t.datatype];
      if (!type) throw gatewayError('GATEWAY_INPUT_INVALID', `datatype ${t.datatype} is not supported`);
      feeds[t.name] = new this.ort.Tensor(type, toTyped(type, t.data), t.shape);
    }
    let res: InferenceSession.OnnxValueMapType;
    try {
      res = await this.session.run(feeds);
    } catch (e) {
      throw gatewayError('GATEWAY_MODEL_INVALID', `inference failed: ${(e as Error).message}`, {
        kind: 'internal',
      });
    }
    return this.meta.outputs.map((o) => {
      const v = res[o.name]!;
      const data = v.data;
      return {
        name: o.name,
        dims: v.dims,
        data:
          data instanceof BigInt64Array || data instanceof BigUint64Array
            ? Array.from(data, Number)
            : (data as Float32Array),
      };
    });
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}

function toTyped(type: OrtTensor.Type, data: Tensor['data']): OrtTensor.DataType {
  switch (type) {
    case 'float32':
      return data instanceof Float32Array ? data : Float32Array.from(data as ArrayLike<number>);
    case 'float64':
      return Float64Array.from(data as ArrayLike<number>);
    case 'int64':
      return BigInt64Array.from(data as ArrayLike<number>, (v) => BigInt(v));
    case 'uint64':
      return BigUint64Array.from(data as ArrayLike<number>, (v) => BigInt(v));
    case 'int32':
      return Int32Array.from(data as ArrayLike<number>);
    case 'int16':
      return Int16Array.from(data as ArrayLike<number>);
    case 'int8':
      return Int8Array.from(data as ArrayLike<number>);
    case 'uint8':
      return Uint8Array.from(data as ArrayLike<number>);
    case 'uint16':
      return Uint16Array.from(data as ArrayLike<number>);
    case 'uint32':
      return Uint32Array.from(data as ArrayLike<number>);
    case 'bool':
      return Uint8Array.from(data as ArrayLike<number | boolean>, (v) => (v ? 1 : 0));
    default:
      throw gatewayError('GATEWAY_INPUT_INVALID', `datatype ${type} is not supported`);
  }
}
