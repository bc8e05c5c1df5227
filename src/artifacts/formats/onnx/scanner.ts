import type { ByteSource } from '../../../core/index.js';
import type { ScanContext, Scanner } from '../../scan/types.js';
import { plausibleHead, schema } from '../protobuf-head.js';
import { ProtoReader, WIRE_LEN, WIRE_VARINT } from '../protobuf.js';
import { Model } from './schema.js';
import { OnnxWalker } from './walker.js';

/**
 * ONNX models (a serialised onnx.ModelProto). Detection is strict because protobuf has no magic:
 * the first field must be `ir_version` (field 1, varint 1..20, as every writer emits it first),
 * and the head must parse as ModelProto → GraphProto → NodeProto with known fields, right wire
 * types, fitting lengths and clean strings (see protobuf-head.ts). The scan walks the whole
 * message with the bounded wire reader, never materialising tensor data.
 */

export const ONNX_MAX_DEPTH = 64;

const S = 'string' as const;
const NODE = schema(
  [
    [1, S],
    [2, S],
    [3, S],
    [4, S],
    [5, WIRE_LEN],
    [6, WIRE_LEN],
    [7, S],
    [8, S],
  ],
  true,
);
const GRAPH = schema(
  [
    [1, NODE],
    [2, S],
    [5, WIRE_LEN],
    [10, WIRE_LEN],
    [11, WIRE_LEN],
    [12, WIRE_LEN],
    [13, WIRE_LEN],
    [14, WIRE_LEN],
    [15, WIRE_LEN],
  ],
  true,
);
const MODEL = schema([
  [Model.irVersion, WIRE_VARINT],
  [Model.producerName, S],
  [Model.producerVersion, S],
  [Model.domain, S],
  [Model.modelVersion, WIRE_VARINT],
  [Model.docString, WIRE_LEN],
  [Model.graph, GRAPH],
  [
    Model.opsetImport,
    schema([
      [1, S],
      [2, WIRE_VARINT],
    ]),
  ],
  [Model.metadataProps, WIRE_LEN],
  [Model.trainingInfo, WIRE_LEN],
  [Model.functions, WIRE_LEN],
  [26, WIRE_LEN], // configuration (IR 10+)
]);

export function detectOnnx(head: Buffer, size: number): boolean {
  if (head.length < 4 || head[0] !== 0x08 || head[1]! < 1 || head[1]! > 20) return false;
  return plausibleHead(head, size, MODEL, 3);
}

export const onnxScanner: Scanner = {
  format: 'onnx',
  detect: detectOnnx,
  scan(src: ByteSource, ctx: ScanContext): void {
    const reader = new ProtoReader(src, { maxDepth: ONNX_MAX_DEPTH });
    const walker = new OnnxWalker(reader, ctx);
    walker.model(0, src.size);
    walker.finish();
    ctx.metric('onnx_nodes', walker.nodes);
    ctx.metric('onnx_tensors', walker.tensors);
  },
};
