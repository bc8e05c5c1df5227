import type { RawOutput } from '../stages/harden.js';
import type { ModelMetadata, Tensor } from '../tensor.js';

/** Something that answers inferences for one model: an in-process ONNX session or an upstream server. */
export interface Backend {
  readonly kind: 'onnx' | 'oip';
  readonly version: string;
  metadata(): ModelMetadata;
  /** Whether the model can answer now (an upstream may be away). */
  ready(): Promise<boolean>;
  infer(inputs: readonly Tensor[]): Promise<RawOutput[]>;
  close(): Promise<void>;
}
