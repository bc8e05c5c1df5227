import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import { robustnessError } from '../errors.js';

/** Numeric element types of ONNX TensorProto.DataType that the engine uses. */
export const ONNX_TYPE = { float: 1, uint8: 2, int8: 3, int32: 6, int64: 7, bool: 9, double: 11 } as const;

// The schema sits at the repository root so that the same relative path works from src/ and dist/.
const SCHEMA = fileURLToPath(new URL('../../../vendor/onnx/onnx.proto', import.meta.url));

let root: protobuf.Root | undefined;
function schema(): protobuf.Root {
  root ??= protobuf.loadSync(SCHEMA);
  return root;
}

/** Plain-object view of onnx.ModelProto as protobufjs reads and writes it (camelCase field names). */
export interface ModelProtoObject {
  irVersion?: number | protobuf.Long;
  opsetImport?: { domain?: string; version?: number | protobuf.Long }[];
  producerName?: string;
  producerVersion?: string;
  graph?: Record<string, unknown>;
  metadataProps?: { key: string; value: string }[];
}

export function encodeModel(model: ModelProtoObject): Uint8Array {
  const T = schema().lookupType('onnx.ModelProto');
  const err = T.verify(model);
  if (err)
    throw robustnessError('MODEL_INVALID', `ONNX model does not match the schema: ${err}`, {
      kind: 'internal',
    });
  return T.encode(T.fromObject(model)).finish();
}

/** Decodes ONNX bytes into plain objects (int64 as numbers, bytes as Uint8Array). */
export function decodeModel(bytes: Uint8Array): ModelProtoObject {
  const T = schema().lookupType('onnx.ModelProto');
  try {
    const msg = T.decode(bytes);
    return T.toObject(msg, {
      longs: Number,
      enums: Number,
      bytes: Uint8Array,
      defaults: false,
    });
  } catch (e) {
    throw robustnessError('MODEL_INVALID', `not an ONNX model: ${(e as Error).message}`, { cause: e });
  }
}
