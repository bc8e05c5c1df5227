import { robustnessError } from '../errors.js';
import type { Shape } from './types.js';

type Ort = typeof import('onnxruntime-node');
let ort: Promise<Ort> | undefined;

/** onnxruntime-node is loaded on first use so that `ml-warden/robustness` importers who never run a model pay nothing. */
export function loadOrt(): Promise<Ort> {
  ort ??= import('onnxruntime-node');
  return ort;
}

/** A float32 or int64 tensor to feed or read: flat data plus dims. */
export interface HostTensor {
  data: Float32Array | BigInt64Array;
  dims: readonly number[];
}

export interface SessionOptions {
  /** Intra-op threads (default 1: the caller parallelises across sessions or batches). */
  threads?: number;
}

/** An onnxruntime session over model bytes, with named feeds and fetches. */
export class Session {
  private constructor(
    private readonly ort: Ort,
    private readonly session: import('onnxruntime-node').InferenceSession,
  ) {}

  static async create(model: Uint8Array, opts: SessionOptions = {}): Promise<Session> {
    const o = await loadOrt();
    try {
      const s = await o.InferenceSession.create(model, {
        intraOpNumThreads: opts.threads ?? 1,
        interOpNumThreads: 1,
        graphOptimizationLevel: 'all',
        executionMode: 'sequential',
      });
      return new Session(o, s);
    } catch (e) {
      throw robustnessError('ONNX_RUNTIME_ERROR', `onnxruntime rejected the model: ${(e as Error).message}`, {
        cause: e,
      });
    }
  }

  get inputNames(): readonly string[] {
    return this.session.inputNames;
  }

  get outputNames(): readonly string[] {
    return this.session.outputNames;
  }

  async run(
    feeds: Record<string, HostTensor>,
    fetch?: readonly string[],
  ): Promise<Record<string, HostTensor>> {
    const ortFeeds: Record<string, import('onnxruntime-node').Tensor> = {};
    for (const [k, v] of Object.entries(feeds))
      ortFeeds[k] = new this.ort.Tensor(v.data instanceof Float32Array ? 'float32' : 'int64', v.data, v.dims);
    let res: import('onnxruntime-node').InferenceSession.OnnxValueMapType;
    try {
      res = fetch ? await this.session.run(ortFeeds, [...fetch]) : await this.session.run(ortFeeds);
    } catch (e) {
      throw robustnessError('ONNX_RUNTIME_ERROR', `inference failed: ${(e as Error).message}`, { cause: e });
    }
    const out: Record<string, HostTensor> = {};
    for (const [k, v] of Object.entries(res))
      out[k] = { data: v.data as Float32Array | BigInt64Array, dims: v.dims };
    return out;
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}

export function tensor(data: Float32Array, dims: Shape): HostTensor {
  return { data, dims };
}
